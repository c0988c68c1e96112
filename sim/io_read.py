"""Decoding and reading an uploaded file into raw rows (CSV in any common encoding, or .xlsx).

CSV (``.csv``, ``.tsv``, ``.txt``; comma, tab or semicolon separated) in UTF-8, UTF-8 with BOM,
UTF-16 with BOM or GBK/GB18030: decoded strictly as UTF-8 first, then GB18030, then the best guess of
``charset_normalizer``. Excel ``.xlsx``/``.xlsm`` through openpyxl. Legacy ``.xls`` is refused.
"""
from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.cells import _display
from sim.messages import Msg, N_
from sim.problems import DataValidationError, Problem


@dataclass(frozen=True)
class _Table:
    name: str
    header: tuple
    header_row: int
    rows: tuple  # ((file row number, tuple of cells), ...)
    warnings: tuple = ()
    delimiter: str = ","



def _source_bytes(source) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        p = Path(source)
        if not p.is_file():
            raise DataValidationError([Problem(None, None, str(source), Msg(N_("File not found: {path}"), path=str(source)))],
                                      str(source))
        return p.read_bytes(), p.name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), ""
    name = Path(str(getattr(source, "name", "") or "")).name
    if hasattr(source, "getvalue"):
        raw = source.getvalue()
    elif hasattr(source, "read"):
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        raw = source.read()
    else:
        raise TypeError(f"source must be a path, bytes, a file-like object or a DataFrame; "
                        f"got {type(source).__name__}")
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return bytes(raw), name


BINARY = N_("The file is binary, not CSV text; upload a CSV (.csv) or Excel (.xlsx) file.")
_TEXT_EXT = {".csv", ".tsv", ".txt"}
_XLSX_EXT = {".xlsx", ".xlsm"}


def _load_table(source, sheet: str | None) -> _Table:
    if isinstance(source, pd.DataFrame):
        header = tuple(str(c) for c in source.columns)
        rows = tuple((i + 2, tuple(r)) for i, r in enumerate(source.itertuples(index=False, name=None)))
        return _Table(Msg(N_("the data frame")), header, 1, rows)
    raw, name = _source_bytes(source)
    label = name or Msg(N_("the uploaded file"))
    ext = Path(name).suffix.lower() if name else ""
    fail = lambda msg, value=None: DataValidationError([Problem(None, None, value, msg)], label)  # noqa: E731
    if not raw.strip():
        raise fail(Msg(N_("The file is empty.")))
    is_zip = raw[:4] == b"PK\x03\x04"
    is_ole = raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    warnings = []
    if ext == ".xls" or (is_ole and ext not in _XLSX_EXT):
        raise fail(Msg(N_("This is a legacy Excel 97-2003 (.xls) workbook or a password-protected file; "
                          "open it in Excel and save it as .xlsx or as CSV (UTF-8).")), ext or None)
    if ext and ext not in _TEXT_EXT | _XLSX_EXT:
        raise fail(Msg(N_("Unsupported file type '{ext}'; upload a CSV (.csv) or Excel (.xlsx) file."), ext=ext), ext)
    if ext in _XLSX_EXT or (not ext and is_zip) or (ext in _TEXT_EXT and is_zip):
        if ext in _TEXT_EXT:
            warnings.append(Msg(N_("{file} is an Excel workbook with a '{ext}' name; it was read as Excel."),
                                file=label, ext=ext))
        t = _read_xlsx(raw, label, sheet)
        return _Table(t.name, t.header, t.header_row, t.rows, tuple(warnings) + t.warnings)
    if sheet is not None:
        warnings.append(Msg(N_("A sheet name ('{sheet}') was given but {file} is a CSV file; it was ignored."),
                            sheet=sheet, file=label))
    t = _read_csv(raw, label)
    return _Table(t.name, t.header, t.header_row, t.rows, tuple(warnings) + t.warnings, t.delimiter)


def _decode(raw: bytes, label: str) -> tuple[str, str]:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        raise DataValidationError([Problem(None, None, None, Msg(BINARY))], label)
    for enc, shown in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030/GBK")):
        try:
            return raw.decode(enc), shown
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(raw).best()
    except Exception:  # noqa: BLE001 - any failure of the guesser means "undecodable"
        best = None
    if best is not None and best.encoding:
        return str(best), best.encoding
    raise DataValidationError([Problem(None, None, None, Msg(N_("The text encoding could not be recognised; "
                                                                  "save the file as CSV UTF-8 (or GBK).")))], label)


def _read_csv(raw: bytes, label: str) -> _Table:
    text, enc = _decode(raw, label)
    text = text.lstrip("\ufeff")
    control = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\r\n\t")
    if control > 8:
        raise DataValidationError([Problem(None, None, None, Msg(BINARY))], label)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delim = max((",", "\t", ";"), key=lambda d: (first.count(d), d == ","))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise DataValidationError([Problem(None, None, None, Msg(N_("The CSV text cannot be parsed ({error})."), error=str(exc)))],
                                  label) from None
    return _rows_to_table(records, label, (Msg(N_("Read as {encoding} text."), encoding=enc),) if enc not in ("UTF-8",) else (),
                          delim)


def _read_xlsx(raw: bytes, label: str, sheet: str | None) -> _Table:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=False, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a bad workbook
        raise DataValidationError([Problem(None, None, None, Msg(N_("The file cannot be read as an Excel workbook ({error}); "
                                                                  "save it again as .xlsx or CSV."),
                                                               error=type(exc).__name__))], label) from None
    names = wb.sheetnames
    if sheet is not None and sheet not in names:
        folded = {n.strip().casefold(): n for n in names}
        if sheet.strip().casefold() in folded:
            ws = wb[folded[sheet.strip().casefold()]]
        else:
            close = difflib.get_close_matches(sheet, names, n=1, cutoff=0.5)
            hint = Msg(N_(" Did you mean '{name}'?"), name=close[0]) if close else ""
            raise DataValidationError([Problem(None, None, sheet, Msg(N_("No sheet named '{sheet}'; the workbook "
                                                                         "has: {sheets}.{hint}"), sheet=sheet,
                                                                      sheets=", ".join(names), hint=hint))], label)
    else:
        ws = wb[names[0]] if sheet is None else wb[sheet]
    records = [list(r) for r in ws.iter_rows(min_row=1, max_row=ws.max_row, values_only=True)]
    if not any(any(_display(c) for c in r) for r in records):
        others = [n for n in names if n != ws.title and wb[n].max_row > 1]
        hint = Msg(N_(" Sheets with content: {sheets}; choose one."), sheets=", ".join(others)) if others else ""
        raise DataValidationError([Problem(None, None, ws.title, Msg(N_("Sheet '{sheet}' is empty.{hint}"),
                                                                     sheet=ws.title, hint=hint))], label)
    t = _rows_to_table(records, Msg(N_("{file} (sheet '{sheet}')"), file=label, sheet=ws.title), ())
    return t


def _rows_to_table(records: list, label: str, warnings: tuple, delim: str = ",") -> _Table:
    numbered = [(i + 1, r) for i, r in enumerate(records)]
    nonempty = [(n, r) for n, r in numbered if any(_display(c) for c in r)]
    if not nonempty:
        raise DataValidationError([Problem(None, None, None, Msg(N_("The file is empty.")))], label)
    header_row, header = nonempty[0]
    return _Table(label, tuple(header), header_row, tuple(nonempty[1:]), warnings, delim)

