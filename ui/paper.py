"""The papers' published tables (``data/paper/``), read once per process for every page."""
import pandas as pd
import streamlit as st

from sim import schema


@st.cache_data(show_spinner=False)
def paper_table(name: str) -> pd.DataFrame:
    """One published table, e.g. ``"liu2026_table3_global_moran.csv"`` (see data/paper/README.md)."""
    return pd.read_csv(schema.DATA_DIR / "paper" / name)


def paper_scalars(file_name: str) -> dict:
    """A ``*_scalars.csv`` file (numbers quoted in a paper's text) as name -> value."""
    sc = paper_table(file_name)
    return dict(zip(sc["name"], sc["value"]))
