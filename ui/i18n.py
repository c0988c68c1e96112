"""The app's language: gettext catalogues managed with Babel, compiled in memory at run time.

* ``_(msg)``: ``msg`` in the session's language (the English text is the message id);
* ``N_(msg)``: marks ``msg`` for extraction only (module-level constants, translated with ``_()``
  where they are shown);
* ``ngettext(singular, plural, n)``;
* ``lang()``: ``"en"`` or ``"zh"``; ``LANGS``: the choices, each in its own language.

The catalogue lives in ``locale/zh/LC_MESSAGES/messages.po`` (extracted into ``locale/messages.pot``
by ``pybabel extract -F babel.cfg``; ``tests/test_i18n.py`` fails when either is stale or a message
lacks a translation). No binary ``.mo`` is committed: the ``.po`` file is compiled once per process
into a read-only ``gettext.GNUTranslations`` (shared by every session; only ``gettext`` is called on it).

Which language a session shows: a valid ``?lang=`` in the address (``en`` or ``zh``; anything else is
ignored), else the browser's preferred language (``st.context.locale``, else the Accept-Language
header), else English. The sidebar switch changes it for the session; the scenario and the loaded
data live in the session state and are not touched.
"""
from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

import streamlit as st

LANGS = {"en": "English", "zh": "中文"}
DEFAULT = "en"
LANG_KEY = "lang"  # the session's language
EXPLICIT_KEY = "lang_explicit"  # True when the language came from the link or the switch: kept in the address
SWITCH_KEY = "lang_switch"  # the sidebar widget
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction; it is translated where it is shown, with ``_()``."""
    return message


@functools.lru_cache(maxsize=None)
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``code`` (read-only; English: the identity)."""
    if code == DEFAULT:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(LOCALE_DIR / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=code)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def valid(code) -> str | None:
    """``code`` if it is one of ``LANGS``, else None (a bad ``?lang=`` is ignored, without an error)."""
    code = (code or "").strip().lower() if isinstance(code, str) else ""
    return code if code in LANGS else None


def from_accept_language(value: str | None) -> str | None:
    """The first supported language of a browser locale (``zh-CN``) or an Accept-Language header
    (``zh-CN,zh;q=0.9,en;q=0.8``), in the browser's order of preference."""
    if not value:
        return None
    ranked = []
    for i, part in enumerate(str(value).split(",")):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, tag.strip().lower()))
    for _q, _i, tag in sorted(ranked):
        code = valid(tag.split("-")[0])
        if code:
            return code
    return None


def _browser_language() -> str | None:
    ctx = getattr(st, "context", None)
    if ctx is None:
        return None
    try:
        code = from_accept_language(getattr(ctx, "locale", None))
        if code is None:
            code = from_accept_language((getattr(ctx, "headers", None) or {}).get("Accept-Language"))
        return code
    except Exception:  # noqa: BLE001 - no browser context (a bare script run): use the default
        return None


def _url_language() -> str | None:
    try:
        return valid(st.query_params.get("lang"))
    except Exception:  # noqa: BLE001 - outside a Streamlit run
        return None


def lang() -> str:
    """The session's language, resolved on the first call of a session."""
    try:
        state = st.session_state
        if LANG_KEY not in state:
            url = _url_language()
            state[LANG_KEY] = url or _browser_language() or DEFAULT
            state[EXPLICIT_KEY] = url is not None
        return state[LANG_KEY]
    except Exception:  # noqa: BLE001 - outside a Streamlit run (unit tests of ui helpers)
        return DEFAULT


def set_lang(code: str) -> None:
    """Switch the session's language; scenario and data stay in the session state untouched."""
    code = valid(code)
    if code is None:
        return
    st.session_state[LANG_KEY] = code
    st.session_state[EXPLICIT_KEY] = True
    sync_url()


def sync_url() -> None:
    """Keep ``?lang=`` in the address when the language was chosen (by the link or the switch), so a
    reload or a copied address keeps it; other parameters (``?s=``, ``?t=``) are left as they are."""
    code = lang()
    if st.session_state.get(EXPLICIT_KEY) and st.query_params.get("lang") != code:
        st.query_params["lang"] = code


def link_params() -> dict:
    """What a share link adds so that it opens in the language it was made in (Chinese only: an
    English link follows the recipient's browser)."""
    return {"lang": "zh"} if lang() == "zh" else {}


def _(message: str) -> str:
    """``message`` in the session's language."""
    return translations(lang()).gettext(message)


def unit_text(provinces: str, units: str, own: bool) -> str:
    """The message about provinces, or its twin about units (地区) when ``own`` (the loaded units are not
    the 30 study provinces: own cities, counties ...), in the session's language. Mark both with ``N_``."""
    return _(units if own else provinces)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(lang()).ngettext(singular, plural, n)


def _on_switch() -> None:
    set_lang(st.session_state.get(SWITCH_KEY))


def language_switch() -> None:
    """The sidebar's 中文 / English switch."""
    current = lang()
    if st.session_state.get(SWITCH_KEY) != current:
        st.session_state[SWITCH_KEY] = current
    st.sidebar.segmented_control("Language / 语言", list(LANGS)[::-1], format_func=LANGS.get, key=SWITCH_KEY,
                                 on_change=_on_switch, label_visibility="collapsed",
                                 help=_("The language of the whole app; the scenario and the loaded data stay."))


# ---------------------------------------------------------------------------------------------
# names of places and groups in the session's language
def _short_zh(name_zh: str) -> str:
    """The short Chinese name used in charts and running text: 北京, 河北, 内蒙古, 广西, 新疆."""
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix) + 1:
            return name_zh[: -len(suffix)]
    return name_zh


@functools.lru_cache(maxsize=1)
def _zh_names() -> dict:
    """English name -> Chinese name of the provinces and cities in the shipped tables."""
    import csv

    from sim import schema

    out = {p.name: _short_zh(p.name_zh) for p in schema.provinces(include_not_in_study=True)}
    root = Path(__file__).resolve().parent.parent
    with open(root / "data" / "geo" / "cities.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["city"], row["city_zh"])
    return out


REGION_NAMES = {"East": N_("East"), "Central": N_("Central"), "West": N_("West"), "all": N_("all")}


def place(name, code: str | None = None) -> str:
    """A province, city or region name in the session's language (or ``code``); unknown names as they are."""
    name = str(name)
    code = code or lang()
    if code == DEFAULT:
        return name
    if name in REGION_NAMES:
        return translations(code).gettext(REGION_NAMES[name])
    return _zh_names().get(name, name)


def bound(code: str | None = None):
    """``(gettext, place)`` fixed to ``code`` (default: the session's language now). For ``format_func``
    callbacks: Streamlit calls them during the run, but the test harness (AppTest) also calls them outside
    it, where the session's language cannot be read; and for files written outside the session."""
    code = code or lang()
    gettext_ = translations(code).gettext
    return gettext_, functools.partial(place, code=code)


def words(value, code: str = DEFAULT) -> str:
    """A sentence from ``sim`` (``sim.messages.Msg``, ``Place``, ``Join``, ``Named``) in the language
    ``code``; place names as :func:`place` writes them; any other text as it is. The one writer of sim's
    sentences: :func:`tr` (the session's language), :func:`translator` and the briefing use it.

    The kinds are recognised by class name, not ``isinstance``: Streamlit's file watcher may re-import
    ``sim.messages`` while results made with the old classes sit in a shared cache."""
    kind = type(value).__name__ if type(value).__module__ == "sim.messages" else ""
    if not kind or (code == DEFAULT and kind != "Place"):
        return str(value)
    if kind == "Named":
        return value.zh or str(value)
    if kind == "Msg":
        template = translations(code).gettext(value.msgid)
        return template.format(**{k: words(v, code) for k, v in value.params.items()}) if value.params else template
    if kind == "Place":
        return place(value, code=code)
    sep = "、" if all(type(i).__name__ == "Place" for i in value.items) else "；"  # a Join
    return sep.join(words(i, code) for i in value.items)


def tr(value) -> str:
    """A sentence from ``sim`` in the session's language (:func:`words`)."""
    return words(value, lang())


def translator(code: str | None = None):
    """:func:`words` fixed to ``code`` (default: the session's language, read now), for code that runs
    where the session cannot be read: a download's data callback runs outside the script run."""
    return functools.partial(words, code=code or lang())


# words the shared map builders (ui/maps.py, ui/unitmap.py) write into a spec (the shipped boundaries'
# credit line is sim.geo.BOUNDARY_CREDIT, a Msg)
MAP_WORDS = {"Region": N_("Region"), "Unit": N_("Unit"), "not analysed": N_("not analysed"),
             "no value": N_("no value")}


def localise_map(spec: dict) -> dict:
    """A map spec of ``ui.maps`` / ``ui.unitmap`` with its place names, tooltip titles and "no value"
    words in the session's language. Returns a new spec (features copied, geometry shared); the
    English spec is returned as it is."""
    if lang() == DEFAULT:
        return spec

    def word(v):
        return _(MAP_WORDS[v]) if isinstance(v, str) and v in MAP_WORDS else v

    def row(r):
        if not isinstance(r, dict):
            return r
        if isinstance(r.get("properties"), dict):
            props = {k: word(v) for k, v in r["properties"].items()}
            if "name" in props:
                props["name"] = place(props["name"])
            return {**r, "properties": props}
        if "name" in r:
            return {**{k: word(v) for k, v in r.items()}, "name": place(r["name"])}
        return r

    def walk(node):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k == "datasets":
                    out[k] = {name: (rows if name == "context" else [row(r) for r in rows]) for name, rows in v.items()}
                elif k == "data" and isinstance(v, dict) and "values" in v:
                    out[k] = {**v, "values": [row(r) for r in v["values"]]}
                elif k == "title" and isinstance(v, str):
                    out[k] = word(v)
                else:
                    out[k] = walk(v)
            return out
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node

    return walk(spec)
