"""The one CSV download button every page uses (UTF-8 with BOM via ``sim.templates.to_csv_bytes``, so
Excel on a Chinese Windows opens the file with its Chinese headers intact).

Language: a download is written in the session's language. In English the frame is written as it is
(column ids as headers: stable names for scripts, unchanged); in Chinese :func:`localised` renames the
columns with the same label dicts the page uses for its on-screen table (``headers``: column id ->
message id, or a label already translated) and writes names in words (``values``: column -> function
of a cell, e.g. ``ui.i18n.place``). Numbers are written the same in both languages; file names stay ASCII.
"""
import pandas as pd
import streamlit as st


def localised(df: pd.DataFrame, headers: dict | None = None, values: dict | None = None) -> pd.DataFrame:
    """``df`` for a download in the session's language: itself in English; in Chinese a copy with the
    columns of ``values`` mapped cell by cell and the columns of ``headers`` renamed (labels are passed
    through ``_()``, so message ids and labels already translated both work)."""
    from ui.i18n import _, lang

    if lang() == "en" or not (headers or values):
        return df
    out = df.copy()
    out.columns = list(out.columns)  # a plain index (a pivot's categorical columns refuse new names)
    for col, fn in (values or {}).items():
        if col in out.columns:
            out[col] = out[col].map(fn)
    return out.rename(columns={c: _(h) for c, h in (headers or {}).items() if c in out.columns})


def csv_button(df: pd.DataFrame, file_name: str, label: str = "Download CSV", key: str | None = None,
               index: bool = False, headers: dict | None = None, values: dict | None = None) -> None:
    """A download button of ``df`` as CSV, built when clicked; ``headers`` / ``values`` as :func:`localised`."""
    from sim.templates import to_csv_bytes

    # translated now, in the script run: the deferred callable runs in another thread, where the session's
    # language cannot be read (English: the frame itself, nothing copied)
    frame = localised(df, headers, values)

    def data() -> bytes:  # deferred: written when clicked, not on every rerun
        return to_csv_bytes(frame if index else frame.reset_index(drop=True))

    st.download_button(label, data, file_name=file_name, mime="text/csv",
                       key=key or f"dl_{file_name}", icon=":material/download:")
