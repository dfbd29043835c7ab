"""The floor every wing stands on: settings, database, shared tables, outbox, broker, errors, pages."""
