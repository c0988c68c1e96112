"""Sentences for the user as data: a message id and its values, turned into words by the UI.

``sim/`` knows no language and imports no UI. A sentence it produces is a :class:`Msg`: ``str()`` of
it is the English sentence (so tests, downloads and logs read as before), ``msgid`` is the English
template, marked for the message catalogue with the no-op :func:`N_`, and ``params`` are its values:

* numbers already formatted as text (they are written the same in every language);
* :class:`Place` -- a province, city, cluster or region name, which the UI writes in the user's
  language (``ui.i18n.place``);
* :class:`Msg` -- a nested phrase ("higher", " and 3 more");
* :class:`Join` -- a list of any of these, joined with ", ".

``ui.i18n.tr`` translates a ``Msg`` recursively (``gettext`` of ``msgid``, then ``str.format``). Every
object here is immutable after construction.
"""
from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention: mark for extraction only
    return message


class Msg(str):
    """An English sentence that also carries its template and values (see the module docstring)."""

    def __new__(cls, msgid: str, /, **params):
        obj = super().__new__(cls, msgid.format(**params) if params else msgid)
        obj.__dict__["msgid"] = msgid
        obj.__dict__["params"] = dict(params)
        return obj

    def __setattr__(self, name, value):
        raise AttributeError("Msg is immutable")

    def __reduce__(self):
        return (_msg, (self.msgid, tuple(self.params.items())))


def _msg(msgid, items):
    return Msg(msgid, **dict(items))


class Place(str):
    """A place name (province, city, cluster, region) inside a :class:`Msg`; English as ``str``."""

    def __reduce__(self):
        return (Place, (str(self),))


class Join(str):
    """Items (names, phrases, formatted numbers) joined with ``sep``; ``items`` keeps their types."""

    def __new__(cls, items, sep: str = ", "):
        items = tuple(items)
        obj = super().__new__(cls, sep.join(str(i) for i in items))
        obj.__dict__["items"] = items
        obj.__dict__["sep"] = sep
        return obj

    def __setattr__(self, name, value):
        raise AttributeError("Join is immutable")

    def __reduce__(self):
        return (Join, (self.items, self.sep))


class Named(str):
    """A name from the data that carries its own Chinese form (an indicator's ``name_zh``); English
    as ``str``, ``zh`` (may be empty: the UI then shows the English)."""

    def __new__(cls, name: str, zh: str = ""):
        obj = super().__new__(cls, name)
        obj.__dict__["zh"] = zh or ""
        return obj

    def __setattr__(self, name, value):
        raise AttributeError("Named is immutable")

    def __reduce__(self):
        return (Named, (str(self), self.zh))
