"""Problem reports that fit: every message fully readable, naming row, column and value.

A table cell cuts long text ("Expected columns are listed in the t..."), so problems are listed as
wrapped lines: the first ``SHOWN`` at once, all of them behind "Show all", and the complete list as
a CSV download. User text (values, headers, file names) goes through ``md_escape``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.text import md_escape

SHOWN = 12


def problem_line(p: dict) -> str:
    """"Row 5 · column 'x' · value 'y': message", Markdown-escaped."""
    where = []
    if p.get("row") not in (None, ""):
        where.append(f"Row {p['row']}")
    if p.get("column") not in (None, ""):
        where.append(f"column '{p['column']}'")
    if p.get("value") not in (None, ""):
        where.append(f"value '{p['value']}'")
    head = " · ".join(where)
    return (f"**{md_escape(head)}**: " if head else "") + md_escape(p.get("problem", ""))


def show_problems(problems: list, key: str, heading: str | None = None) -> None:
    """An error banner, then every problem as a wrapped line (all of them behind "Show all")."""
    n = len(problems)
    st.error(heading or f"The file was not loaded: {n} problem{'s' if n != 1 else ''} found. Fix them and "
             "upload again; the previous data stays active.")
    for p in problems[:SHOWN]:
        st.markdown("- " + problem_line(p))
    if n > SHOWN:
        with st.expander(f"Show all {n} problems"):
            for p in problems[SHOWN:]:
                st.markdown("- " + problem_line(p))
    frame = pd.DataFrame(problems, columns=["row", "column", "value", "problem"])
    with st.expander("The problems as a table"):
        st.dataframe(frame, hide_index=True, width="stretch")
    from sim.templates import to_csv_bytes

    st.download_button("Download the problem list (CSV)", to_csv_bytes(frame), file_name="problems.csv",
                       mime="text/csv", key=f"dl_problems_{key}")


def as_dicts(err) -> list[dict]:
    """``DataValidationError.problems`` as the dicts the page keeps in session state."""
    return [{"row": "" if p.row is None else str(p.row), "column": p.column or "",
             "value": "" if p.value is None else str(p.value), "problem": p.message} for p in err.problems]
