"""Subscriptions, usage against the packs, statements and their corrections."""
