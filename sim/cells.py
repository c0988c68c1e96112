"""Reading one cell of an uploaded table: how it is shown to the user, numbers and years.

Numbers: thousands separators and full-width digits are converted; "45%" in a percent column;
empty, "NA", "-", "无" mean missing. Years: whole numbers within ``YEAR_RANGE``.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata

import numpy as np
import pandas as pd

from sim.messages import Msg, N_

YEAR_RANGE = (1990, 2100)


def _display(v) -> str:
    """A cell as the user would read it ("2015" for 2015.0)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, float):
        if np.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
        return repr(v)
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()
    return str(v).strip()



_MISSING = {"", "na", "n/a", "nan", "null", "none", "-", "--", "—", "–", "…", "...", ".", "#n/a",
            "无", "缺失", "空"}
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _parse_number(v, percent_ok: bool, delim: str) -> tuple[float, str]:
    """(value, status); status is ok, missing, thousands, percent, or a reason it is not a number."""
    if v is None or v is pd.NA or v is pd.NaT:
        return np.nan, "missing"
    if isinstance(v, bool):
        return np.nan, Msg(N_("is TRUE/FALSE, not a number"))
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        if np.isnan(x):
            return np.nan, "missing"
        if not np.isfinite(x):
            return np.nan, Msg(N_("is infinite"))
        return x, "ok"
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return np.nan, Msg(N_("is a date, not a number (check the cell format in Excel)"))
    s = unicodedata.normalize("NFKC", str(v)).strip().replace("\u2212", "-").replace(" ", "")
    if s.casefold() in _MISSING:
        return np.nan, "missing"
    if _PLAIN.match(s):
        x = float(s)
        return (x, "ok") if np.isfinite(x) else (np.nan, Msg(N_("is too large to be a number (overflows to infinity)")))
    if _THOUSANDS.match(s):
        if delim == ";":
            return np.nan, Msg(N_("has a comma in a semicolon-separated file (decimal comma or thousands "
                                  "separator?); write decimals with a point"))
        return float(s.replace(",", "")), "thousands"
    if s.endswith("%") and _PLAIN.match(s[:-1]):
        if percent_ok:
            return float(s[:-1]), "percent"
        return np.nan, Msg(N_("has a percent sign, but this column is not measured in percent"))
    if re.match(r"^[+-]?\d+,\d+$", s):
        return np.nan, Msg(N_("uses a decimal comma; write decimals with a point (1.5, not 1,5)"))
    return np.nan, Msg(N_("is not a number"))


def _parse_year(v) -> tuple[int | None, str]:
    """(year, "ok") or (None, a full sentence saying what is wrong)."""
    lo, hi = YEAR_RANGE
    rng = {"lo": str(lo), "hi": str(hi)}
    missing = N_("The year is missing; write the year as a whole number between {lo} and {hi}, such as 2015.")
    not_whole = N_("The year is not a whole number; write the year as a whole number between {lo} and {hi}, "
                   "such as 2015.")
    if v is None or v is pd.NA or v is pd.NaT:
        return None, Msg(missing, **rng)
    if isinstance(v, bool):
        return None, Msg(N_("The year is TRUE/FALSE; write the year as a whole number between {lo} and {hi}, "
                            "such as 2015."), **rng)
    if isinstance(v, (_dt.datetime, _dt.date)):
        return None, Msg(N_("The year is a date (check the cell format in Excel); write the year as a whole "
                            "number between {lo} and {hi}, such as 2015."), **rng)
    if isinstance(v, (int, np.integer)):
        y = int(v)
    elif isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return None, Msg(missing, **rng)
        if not float(v).is_integer():
            return None, Msg(not_whole, **rng)
        y = int(v)
    else:
        s = unicodedata.normalize("NFKC", str(v)).strip().rstrip("年").strip()
        if s.casefold() in _MISSING:
            return None, Msg(missing, **rng)
        m = re.match(r"^(\d+)(\.0+)?$", s)
        if not m:
            return None, Msg(not_whole, **rng)
        y = int(m.group(1))
    if not lo <= y <= hi:
        return None, Msg(N_("The year {year} is outside {lo}-{hi}; years must lie in this range."), year=str(y), **rng)
    return y, "ok"
