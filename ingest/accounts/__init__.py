"""Accounts, their users, API keys and dossiers, and the one rule every read follows."""
