"""Data page: what is loaded, uploads with a precise problem report, templates, downloads, boundaries."""
from ui.nav import ensure_navigation

ensure_navigation()

import logging

import pandas as pd
import streamlit as st

from sim.messages import Msg
from ui import state
from ui.i18n import N_, _, bound, lang, ngettext
from ui.problems import as_dicts, show_problems, translator
from ui.text import md_escape

T, P = bound()  # gettext and place names fixed to this run's language, for format_func callbacks
tr = translator()  # sim's messages (problems, notes, labels) in this run's language; also for downloads
ZH = lang() != "en"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title(_("Data"))
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
    if kind == "provinces":
        options.update(_sheets())
        st.session_state.pop(MAPPING_KEY, None)
        if st.session_state.get("review_mapping"):  # the user confirms the mapping before anything loads
            _propose(upload, options)
            if MAPPING_KEY in st.session_state:
                messages[kind] = Msg(N_("Check the column mapping of {file} below, then load it."), file=upload.name)
                return
    try:
        frame = getattr(data, READERS[kind])(upload, **options)
    except data.DataValidationError as err:
        problems[kind] = as_dicts(err)
        if kind == "provinces" and any(p.row is None and ("Unknown column" in p.message or "Missing required"
                                                          in p.message) for p in err.problems):
            _propose(upload, options)
        return
    except Exception as exc:  # noqa: BLE001 - a file the readers did not foresee: say so, keep the old data
        logging.getLogger("innovation_simulator").exception("upload failed")
        problems[kind] = [{"row": "", "column": "", "value": "",
                           "problem": Msg(N_("The file could not be read ({error}). Check that it is a "
                                             "CSV or .xlsx table with one header row."), error=type(exc).__name__)}]
        return
    notes = [*frame.attrs.get("warnings", [])]  # includes the gap-filling report when cells were filled
    state.replace_part(kind, frame, source=upload.name, notes=notes)
    messages[kind] = Msg(N_("Loaded {file}: {rows} rows."), file=upload.name, rows=f"{len(frame):,}")
    if kind == "provinces":
        _propose(upload, options, applied=True)


MAPPING_KEY = "column_mapping"  # the proposed (or applied) mapping of the last province upload
SHEETS_KEY = "own_sheets"  # "indicators"/"units" -> validated sheet object, "group_column"


def _sheets() -> dict:
    """The validated indicator and units sheets of this session, as read_province_panel keywords."""
    sheets = st.session_state.get(SHEETS_KEY, {})
    out = {k: sheets[k] for k in ("indicators", "units") if sheets.get(k) is not None}
    group = (st.session_state.get("group_column") or "").strip()
    if group:
        out["group_column"] = group
    return out


def _propose(upload, options, applied: bool = False) -> None:
    """Keep the proposed column mapping of a province upload for the page to show and edit."""
    from sim.mapping import propose_mapping

    try:
        proposal = propose_mapping(upload, indicators=options.get("indicators"), sheet=options.get("sheet"))
    except Exception:  # noqa: BLE001 - no proposal for a file that cannot be read at all
        logging.getLogger("innovation_simulator").info("no mapping proposal", exc_info=True)
        return
    st.session_state[MAPPING_KEY] = {"mapping": proposal, "applied": applied, "file": upload.name}


def _process_sheet(which: str) -> None:
    """on_change callback of the indicator / units sheet uploaders: validate, keep if clean."""
    from sim import data
    from sim.indicators import read_indicator_sheet
    from sim.units import read_units_sheet

    upload = st.session_state.get(f"upload_{which}_sheet")
    sheets = dict(st.session_state.get(SHEETS_KEY, {}))
    problems = st.session_state.setdefault(state.UPLOAD_PROBLEMS_KEY, {})
    problems.pop(f"{which}_sheet", None)
    if upload is None:
        sheets.pop(which, None)
        st.session_state[SHEETS_KEY] = sheets
        return
    try:
        group = (st.session_state.get("group_column") or "").strip() or None
        sheets[which] = (read_indicator_sheet(upload) if which == "indicators"
                         else read_units_sheet(upload, group_column=group))
    except data.DataValidationError as err:
        problems[f"{which}_sheet"] = as_dicts(err)
        sheets.pop(which, None)
    except Exception as exc:  # noqa: BLE001 - say so, keep what was there
        logging.getLogger("innovation_simulator").exception("sheet upload failed")
        problems[f"{which}_sheet"] = [{"row": "", "column": "", "value": "",
                                       "problem": Msg(N_("The sheet could not be read ({error})."),
                                                      error=type(exc).__name__)}]
        sheets.pop(which, None)
    st.session_state[SHEETS_KEY] = sheets
    if which in sheets and st.session_state.get("upload_provinces") is not None:
        _process_upload("provinces")  # the panel already uploaded is read again with the new sheet


def _apply_mapping(edited: pd.DataFrame) -> None:
    """Load the province upload with the mapping the user confirmed (or corrected)."""
    from sim import data
    from sim.mapping import apply_mapping

    upload = st.session_state.get("upload_provinces")
    problems = st.session_state.setdefault(state.UPLOAD_PROBLEMS_KEY, {})
    messages = st.session_state.setdefault(state.UPLOAD_MESSAGE_KEY, {})
    problems.pop("provinces", None)
    messages.pop("provinces", None)
    if upload is None:
        problems["provinces"] = [{"row": "", "column": "", "value": "", "problem": Msg(N_(
            "Upload the panel again: the file is no longer in this session."))}]
        return
    sheet = (st.session_state.get("sheet_provinces") or "").strip() or None
    if sheet and not upload.name.lower().endswith((".xlsx", ".xlsm")):
        sheet = None
    try:
        panel, ind_sheet = apply_mapping(upload, edited, sheet=sheet)
        units = _sheets().get("units")
        frame = data.read_province_panel(panel, indicators=ind_sheet, units=units,
                                         fill_gaps=bool(st.session_state.get("fill_gaps", False)),
                                         group_column=_sheets().get("group_column"))
    except data.DataValidationError as err:
        problems["provinces"] = as_dicts(err)
        return
    except Exception as exc:  # noqa: BLE001 - keep the old data and say why
        logging.getLogger("innovation_simulator").exception("mapping failed")
        problems["provinces"] = [{"row": "", "column": "", "value": "",
                                  "problem": Msg(N_("The mapping could not be applied ({error})."),
                                                 error=type(exc).__name__)}]
        return
    state.replace_part("provinces", frame, source=Msg(N_("{file} (your mapping)"), file=upload.name),
                       notes=[*frame.attrs.get("warnings", [])])
    messages["provinces"] = Msg(N_("Loaded {file} with your mapping: {rows} rows."), file=upload.name,
                                rows=f"{len(frame):,}")
    st.session_state[MAPPING_KEY] = {"mapping": edited, "applied": True, "file": upload.name}


def _process_boundaries() -> None:
    from sim.geo import BoundaryError, load_boundaries

    upload = st.session_state.get("upload_boundaries")
    problems = st.session_state.setdefault(state.UPLOAD_PROBLEMS_KEY, {})
    problems.pop("boundaries", None)
    if upload is None:
        return
    raw = upload.getvalue()
    from sim.units import unit_boundaries, units_of

    units = units_of(state.dataset().get("provinces"))
    try:
        if units.provinces:
            load_boundaries(raw)
        else:  # cities, counties or any regions: features are matched to the loaded units by name
            unit_boundaries(raw, units)
    except BoundaryError as err:
        problems["boundaries"] = [{"row": None, "column": None, "value": None, "problem": p}
                                  for p in err.problems]
        return
    except Exception as exc:  # noqa: BLE001 - keep the old boundaries and say why
        logging.getLogger("innovation_simulator").exception("boundary upload failed")
        problems["boundaries"] = [{"row": None, "column": None, "value": None,
                                   "problem": Msg(N_("The boundary file could not be read ({error})."),
                                                  error=type(exc).__name__)}]
        return
    state.replace_boundaries(raw, Msg(N_("{file} (uploaded)"), file=upload.name))


ds = state.dataset()
UPLOADABLE = ["csv", "tsv", "txt", "xlsx", "xlsm"]


def _source_text(source) -> str:
    """Where a part came from, in the session's language (a file name stays as written)."""
    if source == state.SHIPPED_BOUNDARIES:
        return _(state.SHIPPED_BOUNDARIES)
    return tr(source)


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The first 500 rows for the screen; province and city names in the session's language."""
    out = frame.head(500).copy()
    out.attrs = {}
    if ZH:
        for c in ("province", "city", "city_a", "city_b"):
            if c in out.columns:
                out[c] = out[c].map(P)
    return out


tab_loaded, tab_upload, tab_templates, tab_maps = st.tabs(
    [_("Loaded data"), _("Upload your own"), _("Templates and schema"), _("Map boundaries")])

with tab_loaded:
    for kind in state.KINDS:
        frame = ds.get(kind)
        label = _(state.KIND_LABELS[kind])
        if frame is None:
            st.info(_("{label}: nothing loaded.").format(label=label))
            continue
        tag = (_("synthetic demo") if ds.synthetic.get(kind)
               else _("uploaded: {source}").format(source=md_escape(_source_text(ds.sources.get(kind)))))
        with st.expander(_("{label} — {tag}, {rows} rows").format(label=label, tag=tag, rows=f"{len(frame):,}"),
                         expanded=(kind == "provinces")):
            year_col = "year" if "year" in frame.columns else None
            unit_col = next((c for c in ("province", "city", "firm", "city_a") if c in frame.columns), None)
            cols = st.columns(3)
            if unit_col:
                cols[0].metric(_("Units"), f"{frame[unit_col].nunique():,}")
            if year_col:
                cols[1].metric(_("Years"), f"{int(frame[year_col].min())}-{int(frame[year_col].max())}")
            cols[2].metric(_("Columns"), f"{frame.shape[1]}")
            for note in ds.notes.get(kind, []):
                st.info(md_escape(tr(note)))
            if frame.attrs.get("filled"):
                filled = pd.DataFrame(frame.attrs["filled"], columns=["unit", "year", "column"])
                if ZH:
                    filled["unit"] = filled["unit"].map(P)
                st.dataframe(filled.rename(columns={"unit": _("unit"), "year": _("year"), "column": _("column")}),
                             hide_index=True)
            if kind == "provinces":
                from sim.indicators import system_of
                from sim.units import ALL_UNITS, units_of

                system, units = system_of(frame), units_of(frame)
                counts = _("Indicator system: {system} ({nqpf} NQPF, {inno} innovation; {neg} negative).").format(
                    system=tr(system.label), nqpf=len(system.ids("nqpf")), inno=len(system.ids("inno")),
                    neg=sum(i.direction < 0 for i in system.indicators))
                if units.provinces:
                    where = _("Units: {n} provinces, NBS East/Central/West").format(n=len(units.names))
                else:
                    groups = [_(ALL_UNITS) if g == ALL_UNITS else str(g) for g in units.group_order]
                    where = _("Units: {n} units with coordinates ({origin}), grouped by {group}: {groups}").format(
                        n=len(units.names), origin=tr(units.origin), group=tr(units.group_label),
                        groups=("、" if ZH else ", ").join(groups))
                st.caption(md_escape(counts + " " + where))
            if ds.synthetic.get(kind):
                st.caption(_("SYNTHETIC demo data — not official statistics."))
            st.dataframe(_shown(frame), hide_index=True, height=260)
            from sim.templates import to_csv_bytes

            st.download_button(_("Download: {label} (CSV)").format(label=label),
                               lambda frame=frame: to_csv_bytes(frame),
                               file_name=f"{kind}{'_SYNTHETIC_demo' if ds.synthetic.get(kind) else ''}.csv",
                               mime="text/csv", key=f"dl_{kind}")
    present = {k: ds.get(k) for k in state.KINDS if ds.get(k) is not None}
    if present:
        from sim.templates import to_excel_bytes

        st.download_button(_("Download everything loaded (Excel, one sheet per kind)"),
                           lambda: to_excel_bytes(present), file_name="loaded_data.xlsx", key="dl_all", mime=XLSX)
    if not all(ds.synthetic.get(k, True) for k in state.KINDS) or ds.boundaries is not None:
        st.button(_("Reset everything to the demo data"), on_click=state.reset_to_demo)

with tab_upload:
    st.markdown(_("CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or Excel .xlsx. Province and city names may "
                  "be in English, pinyin or Chinese. A file with problems is not loaded: the report lists "
                  "every problem with its row, column and value, and what was loaded before stays active."))
    kind = st.segmented_control(_("What are you uploading?"), list(state.KINDS), default="provinces",
                                format_func=lambda k: T(state.KIND_LABELS[k]), key="upload_kind")
    kind = kind or "provinces"
    if kind == "provinces":
        st.checkbox(_("Fill gaps by linear interpolation within each unit (every filled cell is listed)"),
                    key="fill_gaps")
        st.checkbox(_("Review the column mapping before loading (otherwise a file that matches is loaded at "
                      "once and its mapping shown below)"), key="review_mapping")
    st.text_input(_("Excel sheet name (optional; the first sheet is read otherwise)"), key=f"sheet_{kind}")
    st.file_uploader(_("{label} file").format(label=_(state.KIND_LABELS[kind])), type=UPLOADABLE,
                     key=f"upload_{kind}", on_change=_process_upload, args=(kind,))
    message = st.session_state.get(state.UPLOAD_MESSAGE_KEY, {}).get(kind)
    problems = st.session_state.get(state.UPLOAD_PROBLEMS_KEY, {}).get(kind)
    if message:
        st.success(md_escape(tr(message)))
    if problems:
        show_problems(problems, kind)
    if kind == "provinces":
        own = st.session_state.get(SHEETS_KEY, {})
        with st.expander(_("Your own indicator system, or units other than the 30 provinces (optional)"),
                         expanded=bool(own)):
            st.markdown(_(
                "**Indicator sheet**: one row per indicator with `id, name, name_zh, system, dimension, "
                "direction, unit` (system `nqpf` or `inno`, at least two indicators in each; direction "
                "`+` or `-`). Panel headers may be an id or either name, with the unit in brackets "
                "(e.g. R&D经费内部支出(亿元)). Without a sheet the paper's 35 indicators are expected, "
                "and unknown columns can be assigned below after the upload.\n\n"
                "**Units**: cities, counties or any regions by name with coordinates: `lat`/`lon` (纬度/经度) "
                "columns in the panel, or a units sheet `unit, lat, lon, group`. Without boundaries, "
                "neighbours are the 4 nearest units and maps show points; without GDP per capita, "
                "Moran's I uses distance weights (the pages say so)."))
            c1, c2 = st.columns(2)
            c1.file_uploader(_("Indicator sheet"), type=UPLOADABLE,
                             key="upload_indicators_sheet", on_change=_process_sheet, args=("indicators",))
            c2.file_uploader(_("Units sheet"), type=UPLOADABLE,
                             key="upload_units_sheet", on_change=_process_sheet, args=("units",))
            st.text_input(_("Group column for the Dagum decomposition (optional; default: a column named "
                            "group/分组, or the NBS East/Central/West for provinces)"), key="group_column")
            for which, label in (("indicators", _("Indicator sheet")), ("units", _("Units sheet"))):
                sheet_problems = st.session_state.get(state.UPLOAD_PROBLEMS_KEY, {}).get(f"{which}_sheet")
                if sheet_problems:
                    n = len(sheet_problems)
                    show_problems(sheet_problems, f"{which}_sheet",
                                  ngettext("{label} not used: {n} problem. Fix it and upload it again; the data "
                                           "loaded before stays active.",
                                           "{label} not used: {n} problems. Fix them and upload it again; the data "
                                           "loaded before stays active.", n).format(label=label, n=n))
                elif own.get(which) is not None:
                    obj = own[which]
                    what = (tr(obj.label) if which == "indicators" else
                            _("{n} units from {origin}").format(n=len(obj.names), origin=tr(obj.origin)))
                    st.success(md_escape(_("{label} in use: {what}").format(label=label, what=what)))
    proposal = st.session_state.get(MAPPING_KEY) if kind == "provinces" else None
    if proposal is not None:
        from sim.mapping import ROLES

        st.subheader(_("Column mapping"))
        if proposal["applied"]:
            st.caption(md_escape(_("What each column of {file} was taken to be. Correct a "
                                   "system or direction here and load again.").format(file=proposal["file"])))
        else:
            st.caption(md_escape(_("Proposed for {file}: check what each column is, choose the "
                                   "system (nqpf: new quality productive forces; inno: innovation resource "
                                   "allocation) and the direction (+ more is better, - less is better) of "
                                   "your own indicators, at least two per system, then load.").format(
                                       file=proposal["file"])))
        role_words = {"indicator": N_("indicator"), "unit": N_("unit"), "year": N_("year"),
                      "lat": N_("latitude (lat)"), "lon": N_("longitude (lon)"), "group": N_("group"),
                      "gdp_per_capita": N_("GDP per capita"), "ignore": N_("ignore")}
        matched_words = {"id": N_("id"), "name": N_("English name"), "name_zh": N_("Chinese name"),
                         "alias": N_("alias"), "proposed": N_("proposed"), "text column": N_("text column")}
        system_words = {"nqpf": N_("nqpf (new quality productive forces)"),
                        "inno": N_("inno (innovation resource allocation)"), "": ""}
        direction_words = {"+": N_("+ (more is better)"), "-": N_("- (less is better)"), "": ""}
        shown_mapping = proposal["mapping"].copy()
        shown_mapping["matched_by"] = [T(matched_words[m]) if m in matched_words else m
                                       for m in shown_mapping["matched_by"]]
        edited = st.data_editor(
            shown_mapping, hide_index=True, width="stretch", key=f"mapping_editor_{proposal['file']}",
            disabled=["header", "matched_by"],
            column_config={
                "header": st.column_config.TextColumn(_("header")),
                "use_as": st.column_config.SelectboxColumn(_("use as"), options=list(ROLES), required=True,
                                                           format_func=lambda r: T(role_words.get(r, r))),
                "id": st.column_config.TextColumn(_("id")),
                "name": st.column_config.TextColumn(_("name")),
                "system": st.column_config.SelectboxColumn(_("system"), options=["nqpf", "inno", ""],
                                                           format_func=lambda v: T(system_words[v]) if v else ""),
                "direction": st.column_config.SelectboxColumn(
                    _("direction"), options=["+", "-", ""], format_func=lambda v: T(direction_words[v]) if v else ""),
                "dimension": st.column_config.TextColumn(_("dimension")),
                "unit": st.column_config.TextColumn(_("unit of measure")),
                "matched_by": st.column_config.TextColumn(_("matched by"))})
        if st.button(_("Load with this mapping"), key="apply_mapping", type="primary"):
            _apply_mapping(edited)
            st.rerun()

SCHEMA_COLUMNS = {"column": N_("column"), "name_zh": N_("Chinese name"), "unit": N_("unit of measure"),
                  "unit_zh": N_("Chinese unit"), "system": N_("system"), "direction": N_("direction"),
                  "description": N_("description"), "required": N_("required"), "source": N_("source"),
                  "also_accepted": N_("also accepted")}

with tab_templates:
    from sim import templates
    from sim.indicators import system_of

    loaded_system = system_of(ds.get("provinces"))
    tr_file = tr if ZH else templates.english  # English downloads stay byte-identical
    st.markdown(_("**Indicator sheet** (the indicator system of the loaded province panel: {system}). Chinese "
                  "and English names, units, direction and the statistical source of each indicator; edit it "
                  "to define your own system.").format(system=md_escape(tr(loaded_system.label))))
    c1, c2 = st.columns(2)
    c1.download_button(_("Indicator sheet (CSV)"), lambda: templates.indicator_sheet(loaded_system, "csv"),
                       file_name="indicators.csv", mime="text/csv", key="tpl_ind_csv")
    c2.download_button(_("Indicator sheet (Excel)"),
                       lambda: templates.indicator_sheet(loaded_system, "xlsx", translate=tr_file),
                       file_name="indicators.xlsx", key="tpl_ind_xlsx", mime=XLSX)
    st.markdown(_("**Units sheet** (cities, counties or any regions: unit, lat, lon, group)"))
    c1, c2 = st.columns(2)
    c1.download_button(_("Units sheet (CSV)"), lambda: templates.units_sheet_template("csv"), file_name="units.csv",
                       mime="text/csv", key="tpl_units_csv")
    c2.download_button(_("Units sheet (Excel)"), lambda: templates.units_sheet_template("xlsx", translate=tr_file),
                       file_name="units.xlsx", key="tpl_units_xlsx", mime=XLSX)
    if ZH:
        st.caption(_("The Excel templates have their notes (README sheet) in Chinese; the column names of "
                     "the sheets are the file format and stay as they are."))
    for kind in state.KINDS:
        st.markdown(f"**{_(state.KIND_LABELS[kind])}**")
        maker = getattr(templates, TEMPLATES[kind])
        if kind == "provinces":
            maker = (lambda fmt, s=loaded_system: templates.province_template(fmt, s, translate=tr_file))
        else:
            maker = (lambda fmt, m=maker: m(fmt, translate=tr_file))
        c1, c2 = st.columns(2)
        c1.download_button(_("Template (CSV)"), lambda maker=maker: maker("csv"), file_name=f"template_{kind}.csv",
                           mime="text/csv", key=f"tpl_csv_{kind}")
        c2.download_button(_("Template (Excel)"), lambda maker=maker: maker("xlsx"),
                           file_name=f"template_{kind}.xlsx", key=f"tpl_xlsx_{kind}", mime=XLSX)
        if kind == "provinces":
            st.download_button(_("Template with Chinese yearbook headers (CSV)"),
                               lambda: templates.province_template("csv_zh", loaded_system),
                               file_name="template_provinces_zh.csv", mime="text/csv", key="tpl_csv_zh")
        table = templates.schema_table(kind, loaded_system if kind == "provinces" else None, translate=tr_file)
        st.dataframe(table.rename(columns={k: _(v) for k, v in SCHEMA_COLUMNS.items()}), hide_index=True,
                     width="stretch")
        if kind == "provinces":
            st.caption(_("The Excel template has the header twice: ids on the 'data' sheet and Chinese yearbook "
                         "headers (名称(单位)) on 'data_zh'; both load. Sources: Liu et al. (2026) list their "
                         "sources jointly, not per indicator, so each indicator says 'not stated in the paper'."))

with tab_maps:
    st.markdown(_("Maps use Natural Earth boundaries (public domain, de facto; not an authority on "
                  "territorial status). Some users must publish with officially reviewed maps: upload a "
                  "GeoJSON FeatureCollection (WGS84) whose features carry the province name, GB/T 2260 "
                  "code or ISO 3166-2 code in any property. For your own units (cities, counties, any "
                  "regions loaded with coordinates), the features must carry the unit's name as in the panel: "
                  "neighbours then share a border and maps show the polygons instead of points."))
    st.caption(_("In use: {source}").format(source=md_escape(_source_text(ds.boundaries_source))))
    st.file_uploader(_("Boundary GeoJSON"), type=["geojson", "json"], key="upload_boundaries",
                     on_change=_process_boundaries)
    bproblems = st.session_state.get(state.UPLOAD_PROBLEMS_KEY, {}).get("boundaries")
    if bproblems:
        st.error(_("The boundary file was not used:"))
        st.dataframe(pd.DataFrame({_("problem"): [tr(p["problem"]) for p in bproblems]}), hide_index=True,
                     width="stretch")
    own_boundaries = state.unit_boundaries()
    if own_boundaries is not None:
        st.success(md_escape(_("Boundaries of the loaded units: {n} matched; neighbours share a border and maps "
                               "show the polygons.").format(n=len(own_boundaries.features))))
    for note in (own_boundaries or state.boundaries()).notes:
        st.info(md_escape(tr(note)))
    if ds.boundaries is not None:
        st.button(_("Use the shipped Natural Earth boundaries again"),
                  on_click=state.replace_boundaries, args=(None, state.SHIPPED_BOUNDARIES))
    st.caption(_("Boundaries: Natural Earth (public domain). City and capital coordinates: GeoNames "
                 "(geonames.org), CC BY 4.0."))
