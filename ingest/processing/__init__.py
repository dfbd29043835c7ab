"""One document under a lease: analysis, understanding, duplicates, usage; workers' presence."""
