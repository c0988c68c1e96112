"""Navigation guard for pages opened directly by URL in a fresh server process.

Streamlit decides once per process whether an app "uses the pages directory" (the v1 multipage
mechanism): it is true whenever a ``pages/`` folder sits next to the entry script, until the first
``st.navigation`` call turns it off. So if the very first visitor of a fresh process opens a deep
link such as ``/simulator?s=...`` (a shared scenario), Streamlit runs ``pages/simulator.py`` on its
own, without ``streamlit_app.py``: no sections, no sidebar status, raw file names as page titles.
Every page calls :func:`ensure_navigation` first; in that situation it switches the process to
``st.navigation`` and reruns, which routes the same URL (query parameters included) through the
entry script.
"""
import streamlit as st


def ensure_navigation() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a future Streamlit without the v1 mechanism: nothing to guard
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


UNEXPECTED = "Unexpected error"


def guarded(render) -> None:
    """Run ``render()``; an unexpected exception becomes a plain message, never a traceback.

    Streamlit's own control flow (``st.rerun``, ``st.stop``, ``st.switch_page``) passes through.
    The traceback goes to the server log for the maintainers. With ``client.showErrorDetails =
    "none"`` Streamlit would otherwise show nothing at all, which looks like a blank page.
    """
    import logging

    try:
        render()
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the UI
        # (st.rerun / st.stop / st.switch_page raise BaseException subclasses: they pass through)
        from ui.i18n import _

        logging.getLogger("innovation_simulator").exception("page failed")
        # "Unexpected error" stays in English in every language (tests and maintainers look for it)
        message = _("{unexpected} ({error}). The rest of the app keeps working and your data and scenario "
                    "are unchanged. Please report what you did to the maintainers.")
        st.error(message.format(unexpected=UNEXPECTED, error=type(exc).__name__), icon=":material/error:")
