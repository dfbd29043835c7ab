"""Receiving a batch: files checked from their bytes, stored under their hash, recorded at once."""
