"""Place names: provinces and cities written in any common way, matched exactly (never fuzzily).

Provinces: English, pinyin variants, Chinese (simplified or traditional), GB/T 2260 and ISO 3166-2
codes (:func:`canonical_province`). Cities: English or Chinese names of ``data/geo/cities.csv``
(:func:`canonical_city`), with homonyms resolved by province.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sim import schema
from sim.cells import _display
from sim.messages import Join, Msg, N_, Place
from sim.problems import Problem

NOT_ANALYSED = ("Tibet", "Hong Kong", "Macao", "Taiwan")


def _strip_paren(text: str) -> str:
    return re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", text).strip()


_TRAD = str.maketrans("陝廣東內遼寧龍蘇貴雲慶灣臺門濟蘭烏魯爾壯維區肅", "陕广东内辽宁龙苏贵云庆湾台门济兰乌鲁尔壮维区肃")


def _fold(text) -> str:
    """NFKC, no accents, lower case, traditional -> simplified for place-name characters."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s).casefold().translate(_TRAD)


def _name_key(text) -> str:
    """Key for place names: folded, letters/digits/CJK only ("Xi'an", "xi an", "XIAN" -> "xian")."""
    return "".join(c for c in _fold(text) if c.isalnum())


_EN_SUFFIXES = ("specialadministrativeregion", "autonomousregion", "municipality", "province",
                "zizhiqu", "sheng", "city", "shi", "sar")
_EN_ETHNIC = ("zhuang", "hui", "uygur", "uyghur", "uighur", "weiwuer")
_ZH_SUFFIXES = ("特别行政区", "自治区", "省", "市")
_ZH_ETHNIC = ("壮族", "回族", "维吾尔")

_EXTRA_PROVINCES = (("Hong Kong", "香港特别行政区", 81, "CN-HK", ("Hongkong", "Xianggang", "HK")),
                    ("Macao", "澳门特别行政区", 82, "CN-MO", ("Macau", "Aomen")),
                    ("Taiwan", "台湾省", 71, "CN-TW", ("Taiwan Province",)))
_PROVINCE_VARIANTS = {
    "Inner Mongolia": ("Nei Mongol", "Neimenggu", "Nei Menggu", "Inner Mongol", "Neimongol"),
    "Tibet": ("Xizang", "Xizang Zizhiqu"),
    "Shaanxi": ("Shenxi", "Shensi", "Shaanxi Sheng"),  # 陕西; never "Shanxi"/"Shansi" (山西)
    "Shanxi": ("Shansi",),
    "Beijing": ("Peking",),
    "Tianjin": ("Tientsin",),
    "Sichuan": ("Szechuan", "Szechwan"),
    "Guangdong": ("Kwangtung",),
    "Guangxi": ("Kwangsi",),
    "Xinjiang": ("Sinkiang",),
    "Heilongjiang": ("Heilungkiang",),
}


@lru_cache(maxsize=1)
def _province_table() -> tuple[dict, dict]:
    """(key -> canonical name, canonical name -> Chinese name) for 31 mainland units + HK/MO/TW."""
    lookup: dict[str, str] = {}
    zh: dict[str, str] = {}
    rows = [(p.name, p.name_zh, p.gb_code, p.iso, ()) for p in schema.provinces(include_not_in_study=True)]
    rows += list(_EXTRA_PROVINCES)
    for name, name_zh, gb, iso, variants in rows:
        zh[name] = name_zh
        for k in (name, name_zh, str(gb), str(gb * 10000), iso, *variants,
                  *_PROVINCE_VARIANTS.get(name, ())):
            lookup[_name_key(k)] = name
        short = name_zh
        for suf in _ZH_SUFFIXES:
            if short.endswith(suf):
                short = short[: -len(suf)]
                break
        lookup[_name_key(short)] = name
        for eth in _ZH_ETHNIC:
            if short.endswith(eth):
                lookup[_name_key(short[: -len(eth)])] = name
    return lookup, zh


def canonical_province(text) -> str | None:
    """Canonical English name of a province written in any common way, or None.

    Accepts the English/pinyin name with or without "Province"/"Shi"/"Zizhiqu"/"Autonomous
    Region" and the ethnic designation, older romanisations (Peking, Shensi), Chinese in simplified
    or traditional characters with or without 省/市/自治区, GB/T 2260 codes (11, 110000) and ISO
    3166-2 codes (CN-BJ). Tibet, Hong Kong, Macao and Taiwan are recognised (see ``NOT_ANALYSED``:
    Liu et al. (2026) study 30 provinces without them). Shaanxi (陕西, "Shenxi", "Shensi") and
    Shanxi (山西, "Shansi") are kept apart; nothing is matched fuzzily.

    Parameters
    ----------
    text : str or int

    Returns
    -------
    str or None
        A name of ``sim.schema.provinces(include_not_in_study=True)`` or of ``NOT_ANALYSED``.

    Examples
    --------
    >>> canonical_province("内蒙古自治区"), canonical_province("Nei Mongol")
    ('Inner Mongolia', 'Inner Mongolia')
    >>> canonical_province("陕西"), canonical_province("山西省"), canonical_province("Shenxi")
    ('Shaanxi', 'Shanxi', 'Shaanxi')
    >>> canonical_province("Atlantis") is None
    True
    """
    if text is None:
        return None
    lookup, _ = _province_table()
    key = _name_key(_display(text))
    if not key:
        return None
    if key in lookup:
        return lookup[key]
    for sufs, eths in ((_EN_SUFFIXES, _EN_ETHNIC), (_ZH_SUFFIXES, _ZH_ETHNIC)):
        k = key
        for _ in range(2):  # e.g. "Guangxi Zhuang Autonomous Region": region, then ethnic part
            for suf in sufs:
                if k.endswith(suf) and len(k) > len(suf):
                    k = k[: -len(suf)]
                    break
            if k in lookup:
                return lookup[k]
            for eth in eths:
                if k.endswith(eth) and k[: -len(eth)] in lookup:
                    return lookup[k[: -len(eth)]]
    return None


def _suggest(text: str, lookup: dict[str, str]) -> str | None:
    key = _name_key(text)
    hit = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.6)
    return lookup[hit[0]] if hit else None


def _city_file() -> Path:
    full = schema.DATA_DIR / "geo" / "cities.csv"
    return full if full.exists() else schema.DATA_DIR / "geo" / "ai_clusters.csv"


@lru_cache(maxsize=4)
def _city_table(path: str, mtime: float) -> tuple[dict, dict, dict]:
    """(exact key -> names, secondary key -> names, canonical name -> Chinese name, in file order).

    Exact keys: the canonical name and the Chinese name (with or without 市). Secondary keys: the
    name without a disambiguating bracket ("Suzhou (Anhui)" -> "Suzhou", deliberately ambiguous
    when two cities share it) and "city + province" spellings in English and Chinese.
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    prov_col = "province" if "province" in df.columns else ("province_en" if "province_en" in df.columns
                                                            else None)
    exact: dict[str, set] = {}
    loose: dict[str, set] = {}
    names: dict[str, str] = {}
    for r in df.to_dict("records"):
        name = r["city"].strip()
        zh = r.get("city_zh", "").strip()
        names.setdefault(name, zh)
        base = _strip_paren(name)
        keys = {name, zh, zh + "市" if zh else ""}
        more = {base, base + " City", base + " Shi"}
        if prov_col:
            prov = r[prov_col]
            pzh = _province_table()[1].get(canonical_province(prov) or "", "")
            more |= {f"{base} {prov}", f"{prov} {base}"}
            if zh:
                more |= {pzh + zh, pzh + zh + "市", pzh.rstrip("省") + zh, pzh.rstrip("省") + zh + "市"}
        for table, ks in ((exact, keys), (loose, more)):
            for k in ks:
                k = _name_key(k)
                if k:
                    table.setdefault(k, set()).add(name)
    return exact, loose, names


def _cities() -> tuple[dict, dict, dict]:
    p = _city_file()
    return _city_table(str(p), p.stat().st_mtime)


def _resolve_city(text) -> tuple[str | None, list[str]]:
    """(canonical name or None, candidates when ambiguous)."""
    exact, loose, _ = _cities()
    key = _name_key(_display(text))
    hits = exact.get(key) or loose.get(key)
    if not hits:
        return None, []
    if len(hits) > 1:
        return None, sorted(hits)
    return next(iter(hits)), []


def canonical_city(text) -> str | None:
    """Canonical English name of a city of ``data/geo/cities.csv`` (or the Study B cities), or None.

    English or Chinese, with or without 市/"City", apostrophes and spaces ignored ("Xi'an", "Xian",
    "西安", "西安市"); "City, Province" and "省+市" forms disambiguate homonyms (苏州 Suzhou, Jiangsu
    vs 宿州 Suzhou, Anhui). An ambiguous name returns None. Cities are those of Wang et al. (2025)
    and the other prefecture-level cities of the shipped city table.

    Examples
    --------
    >>> canonical_city("西安市"), canonical_city("Xian")
    ("Xi'an", "Xi'an")
    """
    if text is None:
        return None
    return _resolve_city(text)[0]



NAME_MISSING = {"province": N_("The province name is missing."), "city": N_("The city name is missing."),
                "firm": N_("The firm name is missing."), "city_a": N_("The city_a name is missing."),
                "city_b": N_("The city_b name is missing.")}


def _parse_name(kind, spec, raw, n, col, problems, not_analysed, homonyms):
    text = _display(raw)
    if not text:
        problems.append(Problem(n, col, "", Msg(NAME_MISSING.get(spec.name, N_("The {column} name is missing.")),
                                               column=spec.name)))
        return None
    if spec.name == "firm":
        return text
    if kind == "provinces":
        name = canonical_province(text)
        if name is None:
            lookup, _ = _province_table()
            hint = _suggest(text, lookup)
            hint = Msg(N_(" Did you mean '{name}'?"), name=Place(hint)) if hint else ""
            problems.append(Problem(n, col, text, Msg(N_("Unknown province '{value}'.{hint} Use the English, "
                                                         "pinyin or Chinese name (e.g. Inner Mongolia, 内蒙古)."),
                                                      value=text, hint=hint)))
            return None
        if name not in set(schema.province_names()):
            not_analysed[name] = not_analysed.get(name, 0) + 1
            return _SKIP
        return name
    name, candidates = _resolve_city(text)
    if name is not None and text not in homonyms:
        others = sorted(_cities()[1].get(_name_key(text), set()) - {name})
        if others:
            homonyms[text] = (name, tuple(others))
    if candidates:
        problems.append(Problem(n, col, text, Msg(N_("'{value}' could be any of {cities}; "
                                                     "write the Chinese name or 'City, Province'."),
                                                  value=text, cities=Join([Place(c) for c in candidates]))))
        return None
    if name is None:
        exact, loose, _ = _cities()
        lookup = {**loose, **exact}
        hit = difflib.get_close_matches(_name_key(text), list(lookup), n=1, cutoff=0.7)
        hint = Msg(N_(" Did you mean '{name}'?"), name=Place(sorted(lookup[hit[0]])[0])) if hit else ""
        n_known = len(_cities()[2])
        problems.append(Problem(n, col, text, Msg(N_("Unknown city '{value}'.{hint} Cities must be among the "
                                                     "{n} prefecture-level cities of data/geo/{file} "
                                                     "(English or Chinese name)."),
                                                  value=text, hint=hint, n=str(n_known), file=_city_file().name)))
        return None
    return name


class _Skip(str):
    """Marker for rows left out on purpose (not-analysed provinces); reported as a warning."""


_SKIP = _Skip("")
