"""The service contract's rules (CONTRACT.md) as pure functions: plain values in, plain values out.

Nothing in this package reads the clock, the network, files or the database; callers pass `now`.
"""
