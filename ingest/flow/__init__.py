"""Daily flow or bulk archive: classification, the bulk dispatcher, ETAs and the 48-hour commitment."""
