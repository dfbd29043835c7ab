"""The probes, a month's availability from what they measured, and credit claims."""
