"""The one CSV download button every page uses (UTF-8 with BOM via ``sim.templates.to_csv_bytes``)."""
import pandas as pd
import streamlit as st


def csv_button(df: pd.DataFrame, file_name: str, label: str = "Download CSV", key: str | None = None,
               index: bool = False) -> None:
    from sim.templates import to_csv_bytes

    def data() -> bytes:  # deferred: built when clicked, not on every rerun
        frame = df if index else df.reset_index(drop=True)
        return to_csv_bytes(frame)

    st.download_button(label, data, file_name=file_name, mime="text/csv",
                       key=key or f"dl_{file_name}", icon=":material/download:")
