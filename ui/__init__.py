"""Streamlit glue: session state, cached wrappers around ``sim/``, map builders. Pages import from here."""
