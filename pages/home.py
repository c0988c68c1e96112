"""Landing page: what the app does, the two studies, the synthetic-data notice. Renders fast: no heavy imports."""
from ui.nav import ensure_navigation

ensure_navigation()

from pathlib import Path

import streamlit as st

from ui.i18n import N_, _
from ui.state import SYNTHETIC_NOTE, dataset

st.title(_("Regional innovation policy simulator"))
st.markdown(_(
    "Reproduce two published studies of Chinese regional innovation on your own data, then ask "
    "**what if**: raise R&D spending in a province, add AI incentive policies in a city cluster, or "
    "link two cities more tightly, and see baseline and scenario side by side, with uncertainty."))

if dataset().any_synthetic():
    st.warning(_("{note} Load your own panels on the Data page.").format(note=_(SYNTHETIC_NOTE)),
               icon=":material/science:")

left, right = st.columns(2)
with left:
    st.subheader(_("Study A: provinces"))
    st.markdown(
        "Liu, Y., Wang, L., Chen, B. & Shan, H. (2026). *Research on coupling coordination of new "
        "quality productive forces and innovation resource allocation based on MLP neural networks.* "
        "Scientific Reports. doi:10.1038/s41598-026-36247-1\n\n"
        + _("30 provinces, 2012-2022, 35 indicators: entropy weights, traditional coupling coordination, "
            "the paper's unsupervised dual-tower MLP (with a diagnosis of its loss), Moran's I, Dagum Gini "
            "decomposition, kernel densities, Markov and spatial Markov chains."))
with right:
    st.subheader(_("Study B: AI clusters"))
    st.markdown(
        "Wang, T., Yu, N., Zhou, W. & Chen, Q. (2025). *Industry policies and technological innovation "
        "in artificial intelligence clusters: are central positions superior?* Humanities and Social "
        "Sciences Communications. doi:10.1057/s41599-025-05453-z\n\n"
        + _("Location quotients and collaboration networks identify AI city clusters; closeness "
            "centrality; a two-step system GMM of innovation on industry policies with placebo, "
            "sensitivity, mediation and negative binomial checks."))

st.subheader(_("Where to start"))
# an absolute path: the page links work whichever entrypoint runs the app (the root one, or
# cloud/streamlit_app.py on Community Cloud)
HERE = Path(__file__).resolve().parent
st.markdown(_("Each study page opens with **What this shows**: a few findings in plain words, computed from "
              "the loaded data; the tables and tests behind them follow in sections a researcher can open."))
for file, label, icon in (
        ("simulator.py", N_("Simulator: ask 'what if' with a policy lever, or set a target"), ":material/tune:"),
        ("coupling.py", N_("Coupling: how well productive forces and innovation resources develop together, "
                        "by province"), ":material/join_inner:"),
        ("spatial.py", N_("Spatial patterns: hot and cold spots, and the gaps between East, Central and West"),
         ":material/map:"),
        ("dynamics.py", N_("Dynamics: how provinces move between coordination levels, and early warnings"),
         ":material/timeline:"),
        ("clusters.py", N_("AI clusters: where the clusters are, how they cooperate, what industry policies do"),
         ":material/hub:"),
        ("data.py", N_("Data: see what is loaded, upload your own panels, download templates"), ":material/table:")):
    if (HERE / file).exists():
        st.page_link(str(HERE / file), label=_(label), icon=icon)
st.caption(_("Honest by design: where a published method is flawed (the MLP loss collapses, the "
             "reported spatial-Markov Q_b cannot be reproduced, Sargan p = 1.000 signals too many "
             "instruments) the app shows the diagnosis next to the result."))
