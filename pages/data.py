"""Data page: what is loaded, uploads with a precise problem report, templates, downloads, boundaries."""
from ui.nav import ensure_navigation

ensure_navigation()

import logging

import pandas as pd
import streamlit as st

from ui import state
from ui.text import md_escape

st.title("Data")
state.synthetic_notice()

READERS = {"provinces": "read_province_panel", "cities": "read_city_panel",
           "links": "read_city_links", "firms": "read_firm_panel"}
TEMPLATES = {"provinces": "province_template", "cities": "city_template",
             "links": "links_template", "firms": "firms_template"}


def _process_upload(kind: str) -> None:
    """on_change callback: validate the new file; swap it in only if it is clean."""
    from sim import data

    upload = st.session_state.get(f"upload_{kind}")
    problems = st.session_state.setdefault(state.UPLOAD_PROBLEMS_KEY, {})
    messages = st.session_state.setdefault(state.UPLOAD_MESSAGE_KEY, {})
    problems.pop(kind, None)
    messages.pop(kind, None)
    if upload is None:
        return
    options = {}
    if kind == "provinces":
        options["fill_gaps"] = bool(st.session_state.get("fill_gaps", False))
    sheet = (st.session_state.get(f"sheet_{kind}") or "").strip()
    if sheet and upload.name.lower().endswith((".xlsx", ".xlsm")):  # a CSV has no sheets
        options["sheet"] = sheet
    try:
        frame = getattr(data, READERS[kind])(upload, **options)
    except data.DataValidationError as err:
        problems[kind] = [{"row": "" if p.row is None else str(p.row), "column": p.column or "",
                           "value": "" if p.value is None else str(p.value), "problem": p.message}
                          for p in err.problems]
        return
    except Exception as exc:  # noqa: BLE001 - a file the readers did not foresee: say so, keep the old data
        logging.getLogger("innovation_simulator").exception("upload failed")
        problems[kind] = [{"row": "", "column": "", "value": "",
                           "problem": f"The file could not be read ({type(exc).__name__}). Check that it is a "
                                      "CSV or .xlsx table with one header row."}]
        return
    notes = [*frame.attrs.get("warnings", [])]  # includes the gap-filling report when cells were filled
    state.replace_part(kind, frame, source=upload.name, notes=notes)
    messages[kind] = f"Loaded {upload.name}: {len(frame):,} rows."


def _process_boundaries() -> None:
    from sim.geo import BoundaryError, load_boundaries

    upload = st.session_state.get("upload_boundaries")
    problems = st.session_state.setdefault(state.UPLOAD_PROBLEMS_KEY, {})
    problems.pop("boundaries", None)
    if upload is None:
        return
    raw = upload.getvalue()
    try:
        load_boundaries(raw)
    except BoundaryError as err:
        problems["boundaries"] = [{"row": None, "column": None, "value": None, "problem": p}
                                  for p in err.problems]
        return
    except Exception as exc:  # noqa: BLE001 - keep the old boundaries and say why
        logging.getLogger("innovation_simulator").exception("boundary upload failed")
        problems["boundaries"] = [{"row": None, "column": None, "value": None,
                                   "problem": f"The boundary file could not be read ({type(exc).__name__})."}]
        return
    state.replace_boundaries(raw, f"{upload.name} (uploaded)")


ds = state.dataset()
tab_loaded, tab_upload, tab_templates, tab_maps = st.tabs(
    ["Loaded data", "Upload your own", "Templates and schema", "Map boundaries"])

with tab_loaded:
    for kind in state.KINDS:
        frame = ds.get(kind)
        label = state.KIND_LABELS[kind]
        if frame is None:
            st.info(f"{label}: nothing loaded.")
            continue
        tag = "synthetic demo" if ds.synthetic.get(kind) else f"uploaded: {md_escape(ds.sources.get(kind))}"
        with st.expander(f"{label} — {tag}, {len(frame):,} rows", expanded=(kind == "provinces")):
            year_col = "year" if "year" in frame.columns else None
            unit_col = next((c for c in ("province", "city", "firm", "city_a") if c in frame.columns), None)
            cols = st.columns(3)
            if unit_col:
                cols[0].metric("Units", f"{frame[unit_col].nunique():,}")
            if year_col:
                cols[1].metric("Years", f"{int(frame[year_col].min())}-{int(frame[year_col].max())}")
            cols[2].metric("Columns", f"{frame.shape[1]}")
            for note in ds.notes.get(kind, []):
                st.info(md_escape(note))
            if frame.attrs.get("filled"):
                st.dataframe(pd.DataFrame(frame.attrs["filled"], columns=["unit", "year", "column"]),
                             hide_index=True)
            if ds.synthetic.get(kind):
                st.caption("SYNTHETIC demo data — not official statistics.")
            st.dataframe(frame.head(500), hide_index=True, height=260)
            from sim.templates import to_csv_bytes

            st.download_button(f"Download: {label} (CSV)", lambda frame=frame: to_csv_bytes(frame),
                               file_name=f"{kind}{'_SYNTHETIC_demo' if ds.synthetic.get(kind) else ''}.csv",
                               mime="text/csv", key=f"dl_{kind}")
    present = {k: ds.get(k) for k in state.KINDS if ds.get(k) is not None}
    if present:
        from sim.templates import to_excel_bytes

        st.download_button("Download everything loaded (Excel, one sheet per kind)", lambda: to_excel_bytes(present),
                           file_name="loaded_data.xlsx", key="dl_all",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if not all(ds.synthetic.get(k, True) for k in state.KINDS) or ds.boundaries is not None:
        st.button("Reset everything to the demo data", on_click=state.reset_to_demo)

with tab_upload:
    st.markdown("CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or Excel .xlsx. Province and city names may "
                "be in English, pinyin or Chinese. A file with problems is not loaded: the report lists "
                "every problem with its row, column and value, and what was loaded before stays active.")
    kind = st.segmented_control("What are you uploading?", list(state.KINDS), default="provinces",
                                format_func=lambda k: state.KIND_LABELS[k], key="upload_kind")
    kind = kind or "provinces"
    if kind == "provinces":
        st.checkbox("Fill gaps by linear interpolation within each province (every filled cell is listed)",
                    key="fill_gaps")
    st.text_input("Excel sheet name (optional; the first sheet is read otherwise)", key=f"sheet_{kind}")
    st.file_uploader(f"{state.KIND_LABELS[kind]} file", type=["csv", "tsv", "txt", "xlsx", "xlsm"], key=f"upload_{kind}",
                     on_change=_process_upload, args=(kind,))
    message = st.session_state.get(state.UPLOAD_MESSAGE_KEY, {}).get(kind)
    problems = st.session_state.get(state.UPLOAD_PROBLEMS_KEY, {}).get(kind)
    if message:
        st.success(md_escape(message))
    if problems:
        st.error(f"The file was not loaded: {len(problems)} problem(s) found. Fix them and upload again; "
                 "the previous data stays active.")
        st.dataframe(pd.DataFrame(problems), hide_index=True, width="stretch")

with tab_templates:
    from sim import templates

    for kind in state.KINDS:
        st.markdown(f"**{state.KIND_LABELS[kind]}**")
        maker = getattr(templates, TEMPLATES[kind])
        c1, c2 = st.columns(2)
        c1.download_button("Template (CSV)", lambda maker=maker: maker("csv"), file_name=f"template_{kind}.csv", mime="text/csv",
                           key=f"tpl_csv_{kind}")
        c2.download_button("Template (Excel)", lambda maker=maker: maker("xlsx"), file_name=f"template_{kind}.xlsx",
                           key=f"tpl_xlsx_{kind}",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        st.dataframe(templates.schema_table(kind), hide_index=True, width="stretch")

with tab_maps:
    st.markdown("Maps use Natural Earth boundaries (public domain, de facto; not an authority on "
                "territorial status). Some users must publish with officially reviewed maps: upload a "
                "GeoJSON FeatureCollection (WGS84) whose features carry the province name, GB/T 2260 "
                "code or ISO 3166-2 code in any property.")
    st.caption(f"In use: {md_escape(ds.boundaries_source)}")
    st.file_uploader("Boundary GeoJSON", type=["geojson", "json"], key="upload_boundaries",
                     on_change=_process_boundaries)
    bproblems = st.session_state.get(state.UPLOAD_PROBLEMS_KEY, {}).get("boundaries")
    if bproblems:
        st.error("The boundary file was not used:")
        st.dataframe(pd.DataFrame(bproblems)[["problem"]], hide_index=True, width="stretch")
    for note in state.boundaries().notes:
        st.info(md_escape(note))
    if ds.boundaries is not None:
        st.button("Use the shipped Natural Earth boundaries again",
                  on_click=state.replace_boundaries, args=(None, "Natural Earth (shipped)"))
    st.caption("Boundaries: Natural Earth (public domain). City and capital coordinates: GeoNames "
               "(geonames.org), CC BY 4.0.")
