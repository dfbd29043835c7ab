"""bordereau: invoice ingestion with a processing SLA. See docs/architecture.md for the layout."""
