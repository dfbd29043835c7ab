"""Routers by resource, one module each; ``api.app.ROUTERS`` lists those mounted."""
