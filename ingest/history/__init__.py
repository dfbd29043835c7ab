"""The two-year history: the nightly purge, its lock, what expires, exports, the integrity scan."""
