"""Problem reports that fit: every message fully readable, naming row, column and value.

A table cell cuts long text ("Expected columns are listed in the t..."), so problems are listed as
wrapped lines: the first ``SHOWN`` at once, all of them behind "Show all", and the complete list as
a CSV download. User text (values, headers, file names) goes through ``md_escape``.

The messages come from the readers in ``sim`` as ``sim.messages.Msg`` (English as ``str``); they are
kept as they are in the session state and written in the session's language where they are shown
(:func:`translator`), so switching the language rewrites a report already on screen. What the user
wrote (a header, a value, a file name) is never translated.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.i18n import DEFAULT, N_, _, lang, ngettext, translator  # noqa: F401 - translator: pages import it from here
from ui.text import md_escape

SHOWN = 12
# the columns of the problem table and of its CSV download (the values are the user's, as written)
COLUMNS = {"row": N_("row"), "column": N_("column"), "value": N_("value"), "problem": N_("problem")}


def problem_line(p: dict, translate=None) -> str:
    """"Row 5 · column 'x' · value 'y': message", Markdown-escaped, in the session's language."""
    t = translate or translator()
    where = []
    if p.get("row") not in (None, ""):
        where.append(_("Row {row}").format(row=p["row"]))
    if p.get("column") not in (None, ""):
        where.append(_("column '{column}'").format(column=t(p["column"])))
    if p.get("value") not in (None, ""):
        where.append(_("value '{value}'").format(value=t(p["value"])))
    head = " · ".join(where)
    sep = ": " if lang() == DEFAULT else "："
    return (f"**{md_escape(head)}**{md_escape(sep)}" if head else "") + md_escape(t(p.get("problem", "")))


def problems_frame(problems: list, translate=None) -> pd.DataFrame:
    """The problems as a table with column labels and messages in the session's language; row, column
    and value as the user wrote them."""
    t = translate or translator()
    rows = [{"row": p.get("row"), "column": t(p.get("column") or ""), "value": t(p.get("value") or ""),
             "problem": t(p.get("problem") or "")} for p in problems]  # translated before pandas makes them str
    return pd.DataFrame(rows, columns=list(COLUMNS)).rename(columns={k: _(v) for k, v in COLUMNS.items()})


def show_problems(problems: list, key: str, heading: str | None = None) -> None:
    """An error banner, then every problem as a wrapped line (all of them behind "Show all")."""
    n = len(problems)
    t = translator()
    st.error(heading or ngettext("The file was not loaded: {n} problem found. Fix it and upload again; the previous "
                                 "data stays active.",
                                 "The file was not loaded: {n} problems found. Fix them and upload again; the "
                                 "previous data stays active.", n).format(n=n))
    for p in problems[:SHOWN]:
        st.markdown("- " + problem_line(p, t))
    if n > SHOWN:
        with st.expander(_("Show all {n} problems").format(n=n)):
            for p in problems[SHOWN:]:
                st.markdown("- " + problem_line(p, t))
    frame = problems_frame(problems, t)
    with st.expander(_("The problems as a table")):
        st.dataframe(frame, hide_index=True, width="stretch")
    from sim.templates import to_csv_bytes

    st.download_button(_("Download the problem list (CSV)"), to_csv_bytes(frame), file_name="problems.csv",
                       mime="text/csv", key=f"dl_problems_{key}")


def as_dicts(err) -> list[dict]:
    """``DataValidationError.problems`` as the dicts the page keeps in session state (the messages stay
    ``Msg``: English as ``str``, shown in the session's language; a value that is a province or city name
    the reader settled on, not the user's text, stays ``Place``)."""
    return [{"row": "" if p.row is None else str(p.row), "column": p.column or "",
             "value": "" if p.value is None else p.value if type(p.value).__name__ == "Place" else str(p.value),
             "problem": p.message} for p in err.problems]
