"""Showing user-supplied text safely.

Streamlit renders the text of ``st.markdown``, ``st.caption``, ``st.error``/``st.info``/...,
expander labels and ``st.success`` as Markdown. Text that comes from outside (a share link's
scenario name and notes, a file name, a value quoted in a problem report) could then carry
``![](http://...)`` (the viewer's browser fetches an outside address) or ``[log in](http://...)``
(a clickable link inside the app). ``md_escape`` backslash-escapes every Markdown and HTML
metacharacter so such text always shows literally.
"""
import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:=\"'])")


_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")
_WJ = "\u2060"  # WORD JOINER: invisible, but breaks GFM's autolinking of bare URLs and e-mail addresses


def md_escape(text) -> str:
    """``text`` with every Markdown/HTML metacharacter escaped and bare URLs defused.

    Backslash escapes stop ``[..](..)`` and ``![..](..)``; they do not stop GitHub-flavoured
    Markdown from turning a bare ``http://...`` into a link, so a word joiner goes inside ``://``,
    ``www.`` and ``@`` (the text still reads the same).
    """
    flat = " ".join(str(text).split())
    flat = _AUTOLINK.sub(lambda m: m.group(1)[0] + _WJ + m.group(1)[1:], flat)
    return _SPECIAL.sub(r"\\\1", flat)
