"""Shared pieces of the Streamlit pages: data access with caching, maps, escaping, error display."""
