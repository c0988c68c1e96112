"""The message catalogue: extraction (Babel) and the update of ``locale/`` (no Streamlit here).

``python -m ui.catalog`` re-extracts every marked message (``_()``, ``N_()``, ``ngettext()`` in the
files ``babel.cfg`` lists) into ``locale/messages.pot`` and merges it into
``locale/zh/LC_MESSAGES/messages.po`` (existing translations kept; new messages get an empty
``msgstr`` that ``tests/test_i18n.py`` reports). Equivalent to ``pybabel extract`` + ``pybabel update``
with the options written in ``babel.cfg``.

``python -m ui.catalog --fill FILE.po [FILE.po ...]`` does the same, then copies every non-empty
``msgstr`` of the given ``.po`` fragments into the zh catalogue (for work done in parallel: each part of
the app keeps its new translations in its own fragment and merges them here). Both run under an
exclusive lock on ``locale/.catalog.lock``, so two merges at the same time never lose a translation.
"""
from __future__ import annotations

import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "locale" / "messages.pot"
PO = ROOT / "locale" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
LOCK = ROOT / "locale" / ".catalog.lock"
HEADER = "Regional innovation policy simulator: messages of the user interface"


def extract():
    """A Babel ``Catalog`` of every message marked in the sources listed in ``babel.cfg``."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    catalog = Catalog(project="innovation-policy-simulator", version="1", header_comment="# " + HEADER,
                      charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        catalog.add(message, None, [], auto_comments=comments, context=context)
    return catalog


def pot_bytes(catalog=None) -> bytes:
    """The ``.pot`` text, stable: sorted, no locations, no creation date."""
    from babel.messages.pofile import write_po

    catalog = catalog or extract()
    catalog.creation_date = catalog.revision_date = None  # noqa - keep the file stable between runs
    buf = io.BytesIO()
    write_po(buf, catalog, no_location=True, omit_header=True, sort_output=True, width=100)
    return buf.getvalue()


def update(fragments=()) -> tuple[int, int]:
    """Rewrite the .pot and merge it into the zh .po, then fill translations from ``fragments`` (paths
    of ``.po`` files); returns (messages, untranslated)."""
    import fcntl

    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _update(fragments)


def _update(fragments) -> tuple[int, int]:
    from babel.messages.pofile import read_po, write_po

    template = extract()
    POT.parent.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(pot_bytes(template))
    if PO.exists():
        with open(PO, "rb") as f:
            po = read_po(f, locale="zh")
        po.update(template, no_fuzzy_matching=True)
        po.obsolete.clear()
    else:
        from babel.messages.catalog import Catalog

        po = Catalog(locale="zh", project="innovation-policy-simulator", charset="utf-8")
        po.update(template, no_fuzzy_matching=True)
    for path in fragments:
        with open(path, "rb") as f:
            extra = read_po(f, locale="zh")
        for m in extra:
            if m.id and m.string and (not isinstance(m.string, tuple) or all(m.string)) and m.id in po:
                po[m.id].string = m.string
                po[m.id].flags.discard("fuzzy")
    PO.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, po, no_location=True, omit_header=False, sort_output=True, width=100)
    PO.write_bytes(buf.getvalue())
    messages = [m for m in po if m.id]
    return len(messages), sum(1 for m in messages if not m.string)


if __name__ == "__main__":
    import sys

    args = sys.argv[1:]
    if args and args[0] == "--fill":
        args = args[1:]
    elif args:
        sys.exit("usage: python -m ui.catalog [--fill FRAGMENT.po ...]")
    n, missing = update(args)
    print(f"{n} messages, {missing} without a Chinese translation")
