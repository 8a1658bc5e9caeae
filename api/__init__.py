"""The HTTP API (FastAPI): api.app:app."""
