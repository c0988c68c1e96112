"""Entry point: ``streamlit run streamlit_app.py``. Navigation only; every page lives in ``pages/``."""
from pathlib import Path

import streamlit as st

from ui.i18n import N_, _, language_switch, sync_url  # noqa: E402

st.set_page_config(page_title=_("Regional innovation policy simulator"), page_icon="🧭",
                   layout="wide")

ROOT = Path(__file__).resolve().parent
# Less empty space above each page's title (Streamlit's default is 6rem): on a 1280 x 720 projector the
# Simulator's chart then starts beside the controls that move it. Static CSS, no user text.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:3.2rem}</style>")

# PAGES: (section, file under pages/, title, icon). Add a line here when a page is added.
PAGES = [
    ("Start", "home.py", "Home", ":material/home:"),
    ("Start", "data.py", "Data", ":material/table:"),
    ("Study A: provinces", "coupling.py", "Coupling", ":material/join_inner:"),
    ("Study A: provinces", "spatial.py", "Spatial patterns", ":material/map:"),
    ("Study A: provinces", "dynamics.py", "Dynamics", ":material/timeline:"),
    ("Study B: AI clusters", "clusters.py", "AI clusters", ":material/hub:"),
    ("What if", "simulator.py", "Simulator", ":material/tune:"),
]

# PAGES stays a literal (tests read it); its words are marked here for the message catalogue and
# translated below, at display time.
NAV_MESSAGES = (N_("Start"), N_("Home"), N_("Data"), N_("Study A: provinces"), N_("Coupling"),
                N_("Spatial patterns"), N_("Dynamics"), N_("Study B: AI clusters"), N_("AI clusters"),
                N_("What if"), N_("Simulator"))

sections: dict[str, list] = {}
for section, file, title, icon in PAGES:
    if (ROOT / "pages" / file).exists():
        sections.setdefault(_(section), []).append(
            st.Page(str(ROOT / "pages" / file), title=_(title), icon=icon, default=(file == "home.py"),
                    url_path=Path(file).stem if file != "home.py" else None))

navigation = st.navigation(sections)

from ui.nav import guarded  # noqa: E402  (after set_page_config)
from ui.state import sidebar_status  # noqa: E402

language_switch()
sync_url()
sidebar_status()
guarded(navigation.run)
