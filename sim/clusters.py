"""AI-cluster identification, cooperation networks and regression variables (Study B).

Implements the measurement side of Wang et al. (2025), "Industry policies and technological
innovation in artificial intelligence clusters", Humanities and Social Sciences Communications
(SPEC section 3, items 1-5):

* section "Steps for identification": step 1 location quotient (Eq. 1) on 2011-2020 means, step 2
  the scale threshold (80th percentile of patent applications across all regions), step 3 the
  intra- and inter-regional cooperation networks (a potential cluster with both kinds of links is
  an AI cluster); Table 1 (cooperation totals); the sensitivity analysis over the 75th-84th
  percentiles (section "Robustness checks", Fig. 5);
* section "Variables": closeness centrality NC (Eq. 2) per cluster and year on the inter-regional
  network, and the regression variables TI, IP, NC, ED, IC, IE in logs, log(1 + x) where zeros
  occur; Table 2 (descriptive statistics), Table 3 (Pearson correlations), the VIF check.

Inputs are the frames of the data contract (``sim.schema``):

* ``cities_df``: one row per city-year, columns ``city, year, ai_patents, all_patents,
  ai_coop_intra, ip, ed, ic, ie`` (each function checks only the columns it needs);
* ``links_df``: one row per unordered city pair and year, columns ``city_a, city_b, year,
  ai_coop`` (cooperative AI patents between the two cities).

Deliberate choices where the paper is silent (each is also stated where it is used):

* **Scale variable.** The paper thresholds "patent applications across all regions" at the 80th
  percentile (598.6). We read this as the 2011-2020 mean of AI patent applications (``ai_patents``):
  the paper's 600,811 AI patents over ten years and ~300 regions give a mean of ~200 a year, of the
  order of 598.6, whereas all-patent counts of Chinese prefecture cities are an order of magnitude
  larger. ``scale_column="all_patents"`` selects the other reading.
* **Percentile.** ``numpy.percentile`` with linear interpolation across all cities in the input.
* **Network nodes.** For NC the default network of a year holds the links between clusters
  (``nodes="clusters"``); ``nodes="all"`` adds every non-cluster partner, the literal reading of
  the text ("connections containing the AI clusters are regarded as network edges"; "noncluster
  nodes are included"). On that larger network the peripheral partners dominate every sum of
  distances and NC hardly varies across clusters; see ``closeness_centrality``.
* **Edge length.** Shortest paths need lengths; more cooperation must mean closer, so an edge with
  ``ai_coop = w`` cooperative patents has ``distance = 1 / w`` (``weight = w`` is kept too).
* **Closeness.** NC_i = (n - 1) / sum_j d_ij (Eq. 2) on the year's network. When the network is not
  connected we use the Wasserman-Faust form networkx applies (``wf_improved=True``):
  ((r - 1) / sum_{j in C_i} d_ij) * ((r - 1) / (n - 1)), r the size of i's component C_i, which
  equals Eq. 2 on a connected network and does not reward a small isolated component. A cluster
  with no inter-regional link in a year is not in that year's network: its NC is missing (the
  paper's Model 3 panel is unbalanced for the same reason: 216 of 261 observations).
* **Magnitudes.** With d = 1/w on the cluster network, closeness is of the order of a cluster's
  typical link weight to other clusters, which is how Table 2 can report ln NC with mean 2.682
  (NC ~ 15) and a negative minimum; with unit lengths (hops) closeness is at most 1 and ln NC at
  most 0, and on the all-partner network ln NC stays near 0-0.5. Whether the paper used exactly this
  construction cannot be checked from the text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.messages import Join, Msg, N_, Place
from sim.schema import CITY, STUDY_B_YEARS, YEAR

REGRESSION_VARIABLES = ("TI", "IP", "NC", "ED", "IC", "IE")
INTERACTION = "IPxNC"
_RAW_FOR = {"TI": "ai_patents", "IP": "ip", "ED": "ed", "IC": "ic", "IE": "ie"}
LINK_COLUMNS = ("city_a", "city_b", YEAR, "ai_coop")


# --------------------------------------------------------------------------- validation
# Every error is a ``sim.messages.Msg`` (``str()`` = the English sentence, as before; the UI shows it in the
# session's language with ``ui.i18n.tr``): values and column ids as text, city names as ``Place``.
def _names(names) -> Join:
    """City names as Python writes a list of them (``['a', 'b']`` with the template's ``['{names}']``), each a
    ``Place`` (the UI joins them with 、 in Chinese)."""
    return Join([Place(str(n)) for n in names], sep="', '")


def _check_years(years) -> tuple[int, int]:
    try:
        y0, y1 = (int(years[0]), int(years[1]))
    except (TypeError, ValueError, IndexError):
        raise ValueError(Msg(N_("years must be a pair (first, last); found {years}."), years=repr(years))) from None
    if y1 < y0:
        raise ValueError(Msg(N_("years must be (first, last) with first <= last; found {years}."),
                             years=repr(years)))
    return y0, y1


def _city_frame(cities_df: pd.DataFrame, columns, years=STUDY_B_YEARS) -> pd.DataFrame:
    """Validated rows of ``cities_df`` inside ``years``: complete, numeric, non-negative."""
    if not isinstance(cities_df, pd.DataFrame):
        raise ValueError(Msg(N_("cities_df must be a pandas DataFrame; found {type}."),
                             type=type(cities_df).__name__))
    need = [CITY, YEAR, *columns]
    missing = [c for c in need if c not in cities_df.columns]
    if missing:
        raise ValueError(Msg(N_("cities_df is missing column(s) {missing}; found {found}."),
                             missing=str(missing), found=str(list(cities_df.columns))))
    y0, y1 = _check_years(years)
    df = cities_df[need].copy()
    yr = pd.to_numeric(df[YEAR], errors="coerce")
    bad_year = yr.isna() | (yr != yr.round())
    if bad_year.any():
        i = yr.index[bad_year][0]
        raise ValueError(Msg(N_("cities_df column 'year' must be an integer year; found {value} for city "
                                "'{city}'."), value=repr(str(df.at[i, YEAR])), city=Place(str(df.at[i, CITY]))))
    df[YEAR] = yr.astype(int)
    df = df[(df[YEAR] >= y0) & (df[YEAR] <= y1)]
    if df.empty:
        raise ValueError(Msg(N_("cities_df has no rows in the years {first}-{last}."), first=str(y0), last=str(y1)))
    dup = df.duplicated([CITY, YEAR])
    if dup.any():
        r = df[dup].iloc[0]
        raise ValueError(Msg(N_("cities_df has more than one row for city '{city}', year {year}."),
                             city=Place(str(r[CITY])), year=str(r[YEAR])))
    for c in columns:
        v = pd.to_numeric(df[c], errors="coerce")
        bad = v.isna() | ~np.isfinite(v.astype(float))
        if bad.any():
            r = df[bad].iloc[0]
            raise ValueError(Msg(N_("cities_df column '{column}' must be a finite number; found {value} for "
                                    "city '{city}', year {year}."), column=str(c), value=repr(r[c]),
                                 city=Place(str(r[CITY])), year=str(r[YEAR])))
        if (v < 0).any():
            r = df[v < 0].iloc[0]
            raise ValueError(Msg(N_("cities_df column '{column}' must be >= 0; found {value} for city "
                                    "'{city}', year {year}."), column=str(c), value=f"{float(v[v < 0].iloc[0]):g}",
                                 city=Place(str(r[CITY])), year=str(r[YEAR])))
        df[c] = v.astype(float)
    want = set(range(y0, y1 + 1))
    for city, yrs in df.groupby(CITY)[YEAR]:
        gap = sorted(want - set(yrs))
        if gap:
            raise ValueError(Msg(N_("city '{city}' has no row for year(s) {years} (needed: every year "
                                    "{first}-{last}, no gap is filled silently)."), city=Place(str(city)),
                                 years=str(gap), first=str(y0), last=str(y1)))
    return df.sort_values([CITY, YEAR]).reset_index(drop=True)


def _link_frame(links_df: pd.DataFrame, known_cities=None, years=STUDY_B_YEARS) -> pd.DataFrame:
    """Validated links inside ``years`` with (city_a, city_b) put in sorted order."""
    if not isinstance(links_df, pd.DataFrame):
        raise ValueError(Msg(N_("links_df must be a pandas DataFrame; found {type}."), type=type(links_df).__name__))
    missing = [c for c in LINK_COLUMNS if c not in links_df.columns]
    if missing:
        raise ValueError(Msg(N_("links_df is missing column(s) {missing}; found {found}."),
                             missing=str(missing), found=str(list(links_df.columns))))
    y0, y1 = _check_years(years)
    df = links_df[list(LINK_COLUMNS)].copy()
    for c in (YEAR, "ai_coop"):
        v = pd.to_numeric(df[c], errors="coerce")
        if v.isna().any():
            r = df[v.isna()].iloc[0]
            raise ValueError(Msg(N_("links_df column '{column}' must be a number; found {value} for the pair "
                                    "'{city_a}'-'{city_b}', year {year}."), column=str(c), value=repr(r[c]),
                                 city_a=Place(str(r["city_a"])), city_b=Place(str(r["city_b"])),
                                 year=repr(r[YEAR])))
        df[c] = v
    if (df["ai_coop"] < 0).any():
        r = df[df["ai_coop"] < 0].iloc[0]
        raise ValueError(Msg(N_("links_df column 'ai_coop' must be >= 0; found {value} for '{city_a}'-'{city_b}', "
                                "year {year}."), value=f"{float(r['ai_coop']):g}", city_a=Place(str(r["city_a"])),
                             city_b=Place(str(r["city_b"])), year=str(int(r[YEAR]))))
    df[YEAR] = df[YEAR].astype(int)
    df["city_a"] = df["city_a"].astype(str)
    df["city_b"] = df["city_b"].astype(str)
    same = df["city_a"] == df["city_b"]
    if same.any():
        r = df[same].iloc[0]
        raise ValueError(Msg(N_("links_df pairs a city with itself ('{city}', year {year}); cooperation inside a "
                                "city belongs in the city panel's 'ai_coop_intra'."), city=Place(str(r["city_a"])),
                             year=str(r[YEAR])))
    if known_cities is not None:
        unknown = sorted((set(df["city_a"]) | set(df["city_b"])) - set(known_cities))
        if unknown:
            raise ValueError(Msg(N_("links_df names {n} city(ies) absent from the city panel: ['{cities}']."),
                                 n=str(len(unknown)), cities=_names(unknown[:10])))
    a = np.where(df["city_a"] < df["city_b"], df["city_a"], df["city_b"])
    b = np.where(df["city_a"] < df["city_b"], df["city_b"], df["city_a"])
    df["city_a"], df["city_b"] = a, b
    df = df[(df[YEAR] >= y0) & (df[YEAR] <= y1)]
    dup = df.duplicated(["city_a", "city_b", YEAR])
    if dup.any():
        r = df[dup].iloc[0]
        raise ValueError(Msg(N_("links_df has more than one row for the pair '{city_a}'-'{city_b}', year {year} "
                                "(in either order)."), city_a=Place(str(r["city_a"])), city_b=Place(str(r["city_b"])),
                             year=str(r[YEAR])))
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------- identification
def location_quotient(cities_df: pd.DataFrame, years=STUDY_B_YEARS) -> pd.DataFrame:
    """Location quotient of AI patenting per city on period means (Wang et al. 2025, Eq. 1).

    LQ_i = (A_i / P_i) / (A / P), with A_i and P_i the city's mean yearly AI and all patent
    applications over ``years`` and A, P their sums over all cities in the input (the nation).

    Parameters
    ----------
    cities_df : DataFrame, shape (n_cities * n_years, >= 4)
        City panel with ``city, year, ai_patents, all_patents``; every city needs every year.
    years : (int, int)
        First and last year of the averaging window (default 2011-2020, as in the paper).

    Returns
    -------
    DataFrame, shape (n_cities, 4)
        Columns ``city, ai_patents_mean, all_patents_mean, lq``, one row per city, sorted by city.

    Examples
    --------
    >>> df = pd.DataFrame({"city": ["a", "b"], "year": [2011, 2011],
    ...                    "ai_patents": [30, 10], "all_patents": [100, 300]})
    >>> location_quotient(df, years=(2011, 2011))["lq"].round(3).tolist()
    [3.0, 0.333]
    """
    df = _city_frame(cities_df, ["ai_patents", "all_patents"], years)
    bad = df["ai_patents"] > df["all_patents"]
    if bad.any():
        r = df[bad].iloc[0]
        raise ValueError(Msg(N_("AI patents exceed all patents for city '{city}', year {year} ({ai} > {all}); "
                                "AI patents are a subset."), city=Place(str(r[CITY])), year=str(r[YEAR]),
                             ai=f"{r['ai_patents']:g}", all=f"{r['all_patents']:g}"))
    m = df.groupby(CITY)[["ai_patents", "all_patents"]].mean()
    zero = m.index[m["all_patents"] <= 0]
    if len(zero):
        raise ValueError(Msg(N_("city '{city}' has no patent applications in any year, so its location quotient "
                                "(A_i/P_i)/(A/P) is undefined."), city=Place(str(zero[0]))))
    national = m["ai_patents"].sum() / m["all_patents"].sum()
    if national <= 0:
        raise ValueError(Msg(N_("No AI patent applications in any city: the national share A/P is 0.")))
    out = pd.DataFrame({CITY: m.index, "ai_patents_mean": m["ai_patents"].to_numpy(),
                        "all_patents_mean": m["all_patents"].to_numpy()})
    out["lq"] = (out["ai_patents_mean"] / out["all_patents_mean"]) / national
    return out.reset_index(drop=True)


def scale_threshold(cities_df: pd.DataFrame, percentile: float = 80, *,
                    scale_column: str = "ai_patents", years=STUDY_B_YEARS) -> float:
    """The innovation-scale threshold of step 2 (Wang et al. 2025, "Steps for identification").

    The ``percentile``-th percentile (linear interpolation, ``numpy.percentile``) across all
    cities of the 2011-2020 mean of ``scale_column`` (default AI patent applications; see the
    module notes for why).

    Parameters
    ----------
    cities_df : DataFrame, shape (n_cities * n_years, >= 3)
    percentile : float in [0, 100]
    scale_column : str, ``"ai_patents"`` or ``"all_patents"``
    years : (int, int)

    Returns
    -------
    float
        Threshold in patent applications per year.

    Examples
    --------
    >>> df = pd.DataFrame({"city": list("abcde"), "year": 2011, "ai_patents": [1, 2, 3, 4, 5]})
    >>> scale_threshold(df, 80, years=(2011, 2011))
    4.2
    """
    if not 0 <= float(percentile) <= 100:
        raise ValueError(Msg(N_("percentile must lie in [0, 100]; found {value}."), value=repr(percentile)))
    df = _city_frame(cities_df, [scale_column], years)
    means = df.groupby(CITY)[scale_column].mean().to_numpy()
    return float(np.percentile(means, float(percentile)))


@dataclass(frozen=True)
class ClusterIdentification:
    """Result of the three identification steps (Wang et al. 2025, "Steps for identification").

    Attributes
    ----------
    table : DataFrame, shape (n_cities, 11)
        One row per city: ``city, ai_patents_mean, all_patents_mean, lq, specialised (LQ > 1),
        scale (mean of the scale column), above_threshold, potential, intra_total, inter_total,
        status`` where status is ``cluster``, ``excluded_low_scale`` (LQ > 1, below the threshold),
        ``potential_no_links`` (potential but lacking intra- or inter-regional links) or ``other``.
    percentile, threshold : float
        The percentile used and the resulting threshold (patent applications per year).
    scale_column : str
    potential_clusters, clusters, excluded : tuple of str
        Sorted by descending intra-regional cooperation total (Table 1's order), then name.
    """

    table: pd.DataFrame = field(repr=False)
    percentile: float
    threshold: float
    scale_column: str
    potential_clusters: tuple[str, ...]
    clusters: tuple[str, ...]
    excluded: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """A copy of the per-city table."""
        return self.table.copy()


def identify_clusters(cities_df: pd.DataFrame, links_df: pd.DataFrame, percentile: float = 80, *,
                      scale_column: str = "ai_patents",
                      years=STUDY_B_YEARS) -> ClusterIdentification:
    """Identify AI clusters: LQ > 1, scale at or above the percentile, both kinds of links.

    Wang et al. (2025), "Steps for identification", steps 1-3: (1) LQ_i > 1 on 2011-2020 means
    (Eq. 1); (2) mean scale >= the ``percentile``-th percentile across all cities (potential
    clusters); (3) a potential cluster with intra-regional cooperation (``ai_coop_intra`` > 0 in
    some year) and inter-regional cooperation (a link with another city in some year) is a cluster.

    Parameters
    ----------
    cities_df : DataFrame, shape (n_cities * n_years, >= 5)
        ``city, year, ai_patents, all_patents, ai_coop_intra`` (and ``scale_column``).
    links_df : DataFrame, shape (n_links, 4)
        ``city_a, city_b, year, ai_coop``.
    percentile : float, default 80
    scale_column : str, default ``"ai_patents"``
    years : (int, int), default (2011, 2020)

    Returns
    -------
    ClusterIdentification
    """
    if not 0 <= float(percentile) <= 100:
        raise ValueError(Msg(N_("percentile must lie in [0, 100]; found {value}."), value=repr(percentile)))
    return _identify(_city_base(cities_df, links_df, scale_column, years), percentile,
                     scale_column)


def _city_base(cities_df, links_df, scale_column, years) -> pd.DataFrame:
    """Per-city LQ, scale and cooperation totals: everything identification needs but the cut."""
    cols = ["ai_patents", "all_patents", "ai_coop_intra"]
    if scale_column not in cols:
        cols.append(scale_column)
    df = _city_frame(cities_df, cols, years)
    links = _link_frame(links_df, set(df[CITY]), years)
    t = location_quotient(df, years).set_index(CITY)
    t["specialised"] = t["lq"] > 1.0
    t["scale"] = df.groupby(CITY)[scale_column].mean()
    t["intra_total"] = df.groupby(CITY)["ai_coop_intra"].sum()
    inter = pd.concat([links.groupby("city_a")["ai_coop"].sum(),
                       links.groupby("city_b")["ai_coop"].sum()]).groupby(level=0).sum()
    t["inter_total"] = inter.reindex(t.index).fillna(0.0)
    return t


def _identify(base: pd.DataFrame, percentile, scale_column) -> ClusterIdentification:
    # same rule as scale_threshold: linear percentile of the city means
    thr = float(np.percentile(base["scale"].to_numpy(), float(percentile)))
    t = base.copy()
    t["above_threshold"] = t["scale"] >= thr
    t["potential"] = t["specialised"] & t["above_threshold"]
    t = t[["ai_patents_mean", "all_patents_mean", "lq", "specialised", "scale", "above_threshold",
           "potential", "intra_total", "inter_total"]]
    is_cluster = t["potential"] & (t["intra_total"] > 0) & (t["inter_total"] > 0)
    t["status"] = np.select(
        [is_cluster, t["potential"], t["specialised"] & ~t["above_threshold"]],
        ["cluster", "potential_no_links", "excluded_low_scale"], default="other")
    t = t.reset_index()

    def order(mask) -> tuple[str, ...]:
        s = t[mask].sort_values(["intra_total", CITY], ascending=[False, True])
        return tuple(s[CITY])

    return ClusterIdentification(t, float(percentile), thr, scale_column,
                                 order(t["potential"]), order(t["status"] == "cluster"),
                                 order(t["status"] == "excluded_low_scale"))


def cooperation_totals(cities_df: pd.DataFrame, links_df: pd.DataFrame, clusters,
                       years=STUDY_B_YEARS) -> pd.DataFrame:
    """Intra- and inter-regional cooperation totals per cluster (Wang et al. 2025, Table 1).

    Intra-regional: the sum over ``years`` of ``ai_coop_intra``. Inter-regional: the sum over
    ``years`` of ``ai_coop`` on every link with the cluster at one end (partner cluster or not).

    Parameters
    ----------
    cities_df : DataFrame with ``city, year, ai_coop_intra``
    links_df : DataFrame, shape (n_links, 4)
    clusters : sequence of str
    years : (int, int)

    Returns
    -------
    DataFrame, shape (n_clusters, 3)
        ``cluster, intraregional, interregional``, sorted by intraregional (descending), as Table 1.
    """
    clusters = list(clusters)
    df = _city_frame(cities_df, ["ai_coop_intra"], years)
    unknown = sorted(set(clusters) - set(df[CITY]))
    if unknown:
        raise ValueError(Msg(N_("cluster(s) ['{clusters}'] not found in the city panel."), clusters=_names(unknown)))
    links = _link_frame(links_df, set(df[CITY]), years)
    intra = df.groupby(CITY)["ai_coop_intra"].sum()
    inter = pd.concat([links.groupby("city_a")["ai_coop"].sum(),
                       links.groupby("city_b")["ai_coop"].sum()]).groupby(level=0).sum()
    out = pd.DataFrame({"cluster": clusters,
                        "intraregional": [float(intra.get(c, 0.0)) for c in clusters],
                        "interregional": [float(inter.get(c, 0.0)) for c in clusters]})
    return out.sort_values(["intraregional", "cluster"], ascending=[False, True]).reset_index(drop=True)


# --------------------------------------------------------------------------- networks
def network(links_df: pd.DataFrame, year: int, clusters=None, nodes: str = "clusters"):
    """The inter-regional cooperation network of one year (Wang et al. 2025, Fig. 3).

    Edges carry ``weight`` = number of cooperative AI patents between the two cities that year and
    ``distance`` = 1 / weight (more cooperation = closer; shortest paths use ``distance``). Links
    with ``ai_coop == 0`` are not edges. With ``clusters`` given, nodes get ``is_cluster`` and
    ``nodes`` selects the edges: ``"clusters"`` (default) keeps links between two clusters only,
    ``"all"`` keeps every link with at least one cluster at an end (clusters and their non-cluster
    partners; "connections containing the AI clusters are regarded as network edges"). See
    ``closeness_centrality`` for why the default is the cluster network.

    Parameters
    ----------
    links_df : DataFrame, shape (n_links, 4)
    year : int
    clusters : sequence of str, optional
        Without it every link of the year is an edge.
    nodes : {"clusters", "all"}

    Returns
    -------
    networkx.Graph
        Undirected; nodes are the cities at the ends of the kept links.

    Examples
    --------
    >>> links = pd.DataFrame({"city_a": ["a", "b"], "city_b": ["b", "c"], "year": [2011, 2011],
    ...                       "ai_coop": [4, 2]})
    >>> g = network(links, 2011)
    >>> g["a"]["b"]["distance"], g.number_of_nodes()
    (0.25, 3)
    >>> network(links, 2011, clusters=["a", "b"]).number_of_nodes()
    2
    >>> network(links, 2011, clusters=["a", "b"], nodes="all").number_of_nodes()
    3
    """
    import networkx as nx

    links = _link_frame(links_df, None, (year, year))
    if nodes not in ("clusters", "all"):
        raise ValueError(Msg(N_("nodes must be 'clusters' or 'all'; found {value}."), value=repr(nodes)))
    links = links[links["ai_coop"] > 0]
    cset = None if clusters is None else set(clusters)
    if cset is not None:
        ina, inb = links["city_a"].isin(cset), links["city_b"].isin(cset)
        links = links[(ina & inb) if nodes == "clusters" else (ina | inb)]
    g = nx.Graph(year=int(year))
    for a, b, w in zip(links["city_a"], links["city_b"], links["ai_coop"]):
        g.add_edge(a, b, weight=float(w), distance=1.0 / float(w))
    if cset is not None:
        nx.set_node_attributes(g, {n: n in cset for n in g.nodes}, "is_cluster")
    return g


def closeness_centrality(links_df: pd.DataFrame, clusters, years=STUDY_B_YEARS, *,
                         nodes: str = "clusters") -> pd.DataFrame:
    """Closeness centrality NC of each cluster in each year (Wang et al. 2025, Eq. 2).

    NC_i = (n - 1) / sum_j d_ij on the year's inter-regional network (``network(links, year,
    clusters, nodes)``), with d_ij the shortest-path length under edge length 1 / (cooperative
    patents): more cooperation = closer. On a disconnected network the Wasserman-Faust form is used
    (networkx ``wf_improved=True``): ((r - 1) / sum_{j in C_i} d_ij) * ((r - 1) / (n - 1)),
    r = size of i's component C_i, which is Eq. 2 when the network is connected. A cluster without
    links in the year's network is not a node and gets NaN (no NC defined), never 0.

    Which nodes (a deliberate choice; the paper is ambiguous). The paper's text says non-cluster
    partners are nodes of the network (``nodes="all"``). On such a network every cluster's sum of
    distances is dominated by the many peripheral partners attached by one or two patents (d ~ 1),
    so all clusters get almost the same NC, of order 1: on the demo data ln NC has mean 0.23 and
    sd 0.20, far from Table 2's ln NC (mean 2.682, sd 0.711, min -0.542, max 3.628); rescaling the
    edge length shifts the mean but cannot create the missing spread. On the network of clusters
    only (``nodes="clusters"``, the default) closeness reflects how strongly a cluster is tied to
    the other clusters and has the paper's order of magnitude and spread (demo: mean 2.18, sd
    0.90, min -0.16, max 4.05). Use ``nodes="all"`` for the literal reading.

    Parameters
    ----------
    links_df : DataFrame, shape (n_links, 4)
    clusters : sequence of str
    years : (int, int)
    nodes : {"clusters", "all"}

    Returns
    -------
    DataFrame, shape (n_clusters * n_years, 5)
        ``cluster, year, closeness, n_nodes, component_size``.

    Examples
    --------
    A path a-b-c with 1 and 2 cooperative patents, clusters a and c: from a, d(a,b) = 1 and
    d(a,c) = 1 + 1/2, so NC_a = 2 / 2.5; from c, d(c,b) = 1/2 and d(c,a) = 3/2, so NC_c = 2 / 2.

    >>> links = pd.DataFrame({"city_a": ["a", "b"], "city_b": ["b", "c"], "year": [2011, 2011],
    ...                       "ai_coop": [1, 2]})
    >>> nc = closeness_centrality(links, ["a", "c"], (2011, 2011), nodes="all")
    >>> nc["closeness"].round(4).tolist()
    [0.8, 1.0]
    """
    import networkx as nx

    y0, y1 = _check_years(years)
    clusters = list(clusters)
    links = _link_frame(links_df, None, (y0, y1))
    rows = []
    for y in range(y0, y1 + 1):
        g = network(links[links[YEAR] == y], y, clusters, nodes)
        n = g.number_of_nodes()
        for c in clusters:
            if c in g:
                comp = len(nx.node_connected_component(g, c))
                nc = nx.closeness_centrality(g, u=c, distance="distance", wf_improved=True)
                rows.append((c, y, float(nc) if nc > 0 else np.nan, n, comp))
            else:
                rows.append((c, y, np.nan, n, 0))
    return pd.DataFrame(rows, columns=["cluster", YEAR, "closeness", "n_nodes", "component_size"])


# --------------------------------------------------------------------------- regression variables
def _log(values: pd.Series, name: str, use_log1p: bool, where: pd.DataFrame) -> pd.Series:
    neg = values < 0
    if neg.any():
        r = where[neg].iloc[0]
        raise ValueError(Msg(N_("{name} must be >= 0 to take logs; found {value} for cluster '{cluster}', year "
                                "{year}."), name=name, value=f"{values[neg].iloc[0]:g}",
                             cluster=Place(str(r["cluster"])), year=str(r[YEAR])))
    if not use_log1p and (values == 0).any():
        r = where[values == 0].iloc[0]
        raise ValueError(Msg(N_("{name} is 0 for cluster '{cluster}', year {year}, so ln(x) is undefined; use "
                                "log(1 + x) for it (log1p)."), name=name, cluster=Place(str(r["cluster"])),
                             year=str(r[YEAR])))
    return np.log1p(values) if use_log1p else np.log(values)


def regression_panel(cities_df: pd.DataFrame, links_df: pd.DataFrame, clusters, *,
                     log1p=None, nodes: str = "clusters", years=STUDY_B_YEARS) -> pd.DataFrame:
    """The cluster-year panel of Eq. (3) in Wang et al. (2025), all variables in logs.

    TI = ln(AI patent applications), IP = ln(policies), NC = ln(closeness centrality) (Eq. 2, see
    ``closeness_centrality``), ED = ln(GDP per capita), IC = ln(road area per capita),
    IE = ln(science spending). The paper's rule ("Variables"): a variable with at least one zero
    in the panel is transformed as log(1 + x) throughout; pass ``log1p`` (a collection of variable
    names) to fix the choice instead (e.g. to keep a scenario on the baseline's transform). NC is
    never shifted: a cluster-year without inter-regional links has no NC and stays NaN, which is
    why the paper's Model 3 panel is unbalanced.

    ``IPxNC`` is the centred interaction (IP - mean IP) * (NC - mean NC), the means taken over the
    cluster-years where both are observed ("centralised before regression").

    Parameters
    ----------
    cities_df : DataFrame with ``city, year, ai_patents, ip, ed, ic, ie``
    links_df : DataFrame, shape (n_links, 4)
    clusters : sequence of str
    log1p : collection of str, optional
        Variables (from TI, IP, ED, IC, IE) to transform with log(1 + x); default the paper's rule.
    nodes : {"clusters", "all"}
        Network on which NC is computed (see ``closeness_centrality``).
    years : (int, int)

    Returns
    -------
    DataFrame, shape (n_clusters * n_years, 9)
        ``cluster, year, TI, IP, NC, IPxNC, ED, IC, IE``, sorted by cluster and year.
        ``attrs["log1p"]`` lists the variables transformed with log(1 + x); ``attrs["centring"]``
        holds the means used for the interaction.
    """
    clusters = list(clusters)
    if not clusters:
        raise ValueError(Msg(N_("clusters is empty: at least one cluster is needed for the panel.")))
    df = _city_frame(cities_df, list(_RAW_FOR.values()), years)
    unknown = sorted(set(clusters) - set(df[CITY]))
    if unknown:
        raise ValueError(Msg(N_("cluster(s) ['{clusters}'] not found in the city panel."), clusters=_names(unknown)))
    links = _link_frame(links_df, set(df[CITY]), years)
    d = df[df[CITY].isin(clusters)].rename(columns={CITY: "cluster"}).reset_index(drop=True)
    if log1p is None:
        use = {v for v, raw in _RAW_FOR.items() if (d[raw] == 0).any()}
    else:
        use = set(log1p)
        bad = use - set(_RAW_FOR)
        if bad:
            raise ValueError(Msg(N_("log1p may name only {allowed}; found {found}."), allowed=str(sorted(_RAW_FOR)),
                                 found=str(sorted(bad))))
    out = d[["cluster", YEAR]].copy()
    for v, raw in _RAW_FOR.items():
        out[v] = _log(d[raw], v, v in use, d).to_numpy()
    nc = closeness_centrality(links, clusters, years, nodes=nodes)
    out = out.merge(nc[["cluster", YEAR, "closeness"]], on=["cluster", YEAR], how="left")
    out["NC"] = np.log(out.pop("closeness"))
    both = out["IP"].notna() & out["NC"].notna()
    m_ip, m_nc = float(out.loc[both, "IP"].mean()), float(out.loc[both, "NC"].mean())
    out[INTERACTION] = (out["IP"] - m_ip) * (out["NC"] - m_nc)
    out = out[["cluster", YEAR, "TI", "IP", "NC", INTERACTION, "ED", "IC", "IE"]]
    out = out.sort_values(["cluster", YEAR]).reset_index(drop=True)
    out.attrs["log1p"] = sorted(use)
    out.attrs["centring"] = {"IP": m_ip, "NC": m_nc}
    return out


def _columns(panel: pd.DataFrame, columns) -> list[str]:
    columns = list(columns)
    missing = [c for c in columns if c not in panel.columns]
    if missing:
        raise ValueError(Msg(N_("panel is missing column(s) {missing}; found {found}."), missing=str(missing),
                             found=str(list(panel.columns))))
    return columns


def descriptive_stats(panel: pd.DataFrame, columns=REGRESSION_VARIABLES) -> pd.DataFrame:
    """Descriptive statistics of the regression variables (Wang et al. 2025, Table 2).

    Each variable over its observed (non-missing) cluster-years; ``n`` says how many.

    Parameters
    ----------
    panel : DataFrame from ``regression_panel``
    columns : sequence of str

    Returns
    -------
    DataFrame, shape (n_columns, 6)
        ``variable, n, mean, sd (ddof=1), min, max``.
    """
    rows = []
    for c in _columns(panel, columns):
        v = pd.to_numeric(panel[c], errors="coerce").dropna()
        rows.append((c, int(v.size), float(v.mean()), float(v.std(ddof=1)), float(v.min()),
                     float(v.max())))
    return pd.DataFrame(rows, columns=["variable", "n", "mean", "sd", "min", "max"])


@dataclass(frozen=True)
class CorrelationResult:
    """Pearson correlations with two-sided p-values (Wang et al. 2025, Table 3).

    ``r``, ``pvalues`` and ``n`` are square DataFrames indexed by variable; each pair uses the
    cluster-years where both variables are observed (pairwise complete).
    """

    r: pd.DataFrame
    pvalues: pd.DataFrame
    n: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Long form: ``var1, var2, r, p, n`` for every pair below the diagonal."""
        cols = list(self.r.columns)
        rows = [(a, b, self.r.at[a, b], self.pvalues.at[a, b], int(self.n.at[a, b]))
                for i, a in enumerate(cols) for b in cols[:i]]
        return pd.DataFrame(rows, columns=["var1", "var2", "r", "p", "n"])


def correlations(panel: pd.DataFrame, columns=REGRESSION_VARIABLES) -> CorrelationResult:
    """Pearson correlation matrix with significance (Wang et al. 2025, Table 3).

    Parameters
    ----------
    panel : DataFrame from ``regression_panel``
    columns : sequence of str

    Returns
    -------
    CorrelationResult
    """
    from scipy import stats

    cols = _columns(panel, columns)
    k = len(cols)
    r, p, n = np.eye(k), np.zeros((k, k)), np.zeros((k, k), dtype=int)
    for i in range(k):
        n[i, i] = int(panel[cols[i]].notna().sum())
        for j in range(i):
            ok = panel[cols[i]].notna() & panel[cols[j]].notna()
            if ok.sum() < 3:
                raise ValueError(Msg(N_("{a} and {b} are jointly observed in {n} rows; at least 3 are needed for a "
                                        "correlation."), a=str(cols[i]), b=str(cols[j]), n=str(int(ok.sum()))))
            res = stats.pearsonr(panel.loc[ok, cols[i]], panel.loc[ok, cols[j]])
            r[i, j] = r[j, i] = float(res.statistic)
            p[i, j] = p[j, i] = float(res.pvalue)
            n[i, j] = n[j, i] = int(ok.sum())
    f = lambda a: pd.DataFrame(a, index=cols, columns=cols)  # noqa: E731
    return CorrelationResult(f(r), f(p), f(n))


def vif(panel: pd.DataFrame, columns=("IP", "NC", "ED", "IC", "IE")) -> pd.DataFrame:
    """Variance inflation factors of the regressors (Wang et al. 2025, "Correlation analysis").

    VIF_k = 1 / (1 - R_k^2), R_k^2 from regressing column k on the others with a constant
    (``statsmodels.stats.outliers_influence.variance_inflation_factor`` with a constant column).
    Rows with any of ``columns`` missing are left out (listwise); ``n`` reports how many remain.

    Parameters
    ----------
    panel : DataFrame
    columns : sequence of str (at least 2)

    Returns
    -------
    DataFrame, shape (n_columns, 3)
        ``variable, vif, n``.
    """
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    cols = _columns(panel, columns)
    if len(cols) < 2:
        raise ValueError(Msg(N_("VIF needs at least 2 columns; found {columns}."), columns=str(cols)))
    x = panel[cols].apply(pd.to_numeric, errors="coerce").dropna()
    if len(x) <= len(cols) + 1:
        raise ValueError(Msg(N_("VIF needs more complete rows than regressors; found {rows} rows for {n} "
                                "columns."), rows=str(len(x)), n=str(len(cols))))
    ex = np.column_stack([np.ones(len(x)), x.to_numpy(float)])
    vals = [float(variance_inflation_factor(ex, i + 1)) for i in range(len(cols))]
    return pd.DataFrame({"variable": cols, "vif": vals, "n": len(x)})


def threshold_sensitivity(cities_df: pd.DataFrame, links_df: pd.DataFrame,
                          percentiles=range(75, 85), *, scale_column: str = "ai_patents",
                          years=STUDY_B_YEARS) -> pd.DataFrame:
    """Cluster set under different scale percentiles (Wang et al. 2025, "Sensitivity analysis").

    Parameters
    ----------
    cities_df, links_df : DataFrame
    percentiles : iterable of float, default 75, 76, ..., 84
    scale_column : str
    years : (int, int)

    Returns
    -------
    DataFrame, shape (n_percentiles, 6)
        ``percentile, threshold, n_potential, n_clusters, clusters, excluded`` (names joined by
        ``";"``). A higher percentile can only remove clusters (the threshold is monotone).
    """
    percentiles = list(percentiles)
    for p in percentiles:
        if not 0 <= float(p) <= 100:
            raise ValueError(Msg(N_("percentiles must lie in [0, 100]; found {value}."), value=repr(p)))
    base = _city_base(cities_df, links_df, scale_column, years)  # validated once
    rows = []
    for p in percentiles:
        r = _identify(base, p, scale_column)
        rows.append((float(p), r.threshold, len(r.potential_clusters), len(r.clusters),
                     ";".join(r.clusters), ";".join(r.excluded)))
    return pd.DataFrame(rows, columns=["percentile", "threshold", "n_potential", "n_clusters",
                                       "clusters", "excluded"])
