"""Support requests and their deadlines, and maintenance windows."""
