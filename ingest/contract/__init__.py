"""The service contract's rules (docs/contract.md) as pure functions: plain values in, plain values out.

Nothing in this package reads the clock, the network, files or the database; callers pass `now`.
"""
