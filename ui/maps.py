"""pydeck map builders shared by every page: province choropleths and city point/arc maps.

No basemap is fetched: every Deck is built with ``map_provider=None`` and the Natural Earth context
layer (neighbouring countries) is drawn underneath instead. Tooltips use deck.gl's ``text`` mode (not
``html``), so names from a user's boundary file can never inject markup.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

# Perceptually uniform sequential palette, sampled from matplotlib's viridis (BSD-licensed data).
VIRIDIS = [(68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142), (31, 158, 137),
           (53, 183, 121), (110, 206, 88), (181, 222, 43), (253, 231, 37)]
# Diverging: ColorBrewer BrBG (colour-blind safe), brown for falls, teal for rises: a gain is never red.
DIVERGING = [(84, 48, 5), (140, 81, 10), (191, 129, 45), (223, 194, 125), (246, 232, 195),
             (245, 245, 245), (199, 234, 229), (128, 205, 193), (53, 151, 143), (1, 102, 94),
             (0, 60, 48)]
NOT_ANALYSED = (200, 200, 200)
NEIGHBOUR = (236, 236, 236)
VIEW = {"latitude": 35.5, "longitude": 104.5, "zoom": 2.9, "pitch": 0}
# An empty MapLibre style, inlined as a data: URL (pydeck refuses a dict without Mapbox). With ``map_provider=None`` pydeck requests no tiles, but
# st.pydeck_chart substitutes a Carto basemap (a request to basemaps.cartocdn.com) whenever the
# style is empty; a non-empty style with no sources keeps every map offline.
OFFLINE_STYLE = ("data:application/json,"
                 "%7B%22version%22%3A8%2C%22sources%22%3A%7B%7D%2C%22layers%22%3A%5B%5D%7D")


def _interp(palette, t: float) -> list[int]:
    t = min(max(t, 0.0), 1.0) * (len(palette) - 1)
    i = min(int(math.floor(t)), len(palette) - 2)
    f = t - i
    return [int(round(palette[i][c] * (1 - f) + palette[i + 1][c] * f)) for c in range(3)]


def colour_for(values: pd.Series, vmin: float | None = None, vmax: float | None = None,
               diverging: bool = False) -> tuple[dict, float, float]:
    """Map values to RGB; a diverging scale is centred on zero and symmetric."""
    finite = values[np.isfinite(values.astype(float))]
    if diverging:
        m = float(np.nanmax(np.abs(finite))) if len(finite) else 1.0
        m = m or 1.0
        vmin, vmax = (-m, m) if vmin is None else (vmin, vmax)
    else:
        vmin = float(finite.min()) if vmin is None and len(finite) else (vmin if vmin is not None else 0.0)
        vmax = float(finite.max()) if vmax is None and len(finite) else (vmax if vmax is not None else 1.0)
    span = (vmax - vmin) or 1.0
    pal = DIVERGING if diverging else VIRIDIS
    return ({k: _interp(pal, (float(v) - vmin) / span) for k, v in values.items() if np.isfinite(v)},
            vmin, vmax)


def _context_layer(pdk):
    from sim.geo import context_features

    return pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": context_features()},
                     get_fill_color=list(NEIGHBOUR), get_line_color=[255, 255, 255], line_width_min_pixels=0.5,
                     stroked=True, filled=True, pickable=False)


def _not_analysed_layer(pdk, boundaries):
    feats = [{"type": "Feature", "geometry": g, "properties": {"tip": f"{label}: not analysed"}}
             for label, g in boundaries.not_analysed]
    return pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": feats},
                     get_fill_color=list(NOT_ANALYSED), get_line_color=[255, 255, 255],
                     line_width_min_pixels=0.5, pickable=True)


def choropleth(values: pd.Series, boundaries, *, value_label: str, fmt: str = "{:.3f}",
               vmin: float | None = None, vmax: float | None = None, diverging: bool = False,
               categories: dict | None = None, extra: dict | None = None, height: int = 460):
    """A province choropleth.

    Parameters
    ----------
    values : Series indexed by canonical province name (numbers, or category labels if
        ``categories`` maps label -> RGB).
    boundaries : sim.geo.Boundaries
    extra : dict of label -> Series, more lines for the tooltip.

    Returns
    -------
    (pydeck.Deck, legend) where legend is (vmin, vmax, palette) or the categories dict.
    """
    import pydeck as pdk

    if categories is not None:
        colours = {k: list(categories.get(v, NOT_ANALYSED)) for k, v in values.items()}
        legend = categories
    else:
        colours, lo, hi = colour_for(values.astype(float), vmin, vmax, diverging)
        legend = (lo, hi, DIVERGING if diverging else VIRIDIS)
    feats = []
    for name, geom in boundaries.features.items():
        v = values.get(name, np.nan)
        shown = (str(v) if categories is not None else
                 ("no value" if v is None or not np.isfinite(v) else fmt.format(v)))
        tip = [f"{name}", f"{value_label}: {shown}"]
        for label, series in (extra or {}).items():
            if name in series.index:
                tip.append(f"{label}: {series[name]}")
        feats.append({"type": "Feature", "geometry": geom,
                      "properties": {"fill": colours.get(name, list(NOT_ANALYSED)), "tip": "\n".join(tip)}})
    layer = pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": feats},
                      get_fill_color="properties.fill", get_line_color=[150, 150, 150],
                      line_width_min_pixels=0.7, pickable=True, auto_highlight=True)
    deck = pdk.Deck(layers=[_context_layer(pdk), _not_analysed_layer(pdk, boundaries), layer],
                    initial_view_state=pdk.ViewState(**VIEW), map_provider=None, map_style=OFFLINE_STYLE,
                    tooltip={"text": "{tip}"}, height=height)
    return deck, legend


def city_map(points: pd.DataFrame, arcs: pd.DataFrame | None = None, boundaries=None, height: int = 520):
    """Cities as dots (columns lat, lon, tip, colour [r,g,b], radius_km) with optional arcs
    (columns src_lon, src_lat, dst_lon, dst_lat, width, tip) over province outlines."""
    import pydeck as pdk

    layers = [_context_layer(pdk)]
    if boundaries is not None:
        feats = [{"type": "Feature", "geometry": g, "properties": {}} for g in boundaries.features.values()]
        feats += [{"type": "Feature", "geometry": g, "properties": {}} for _, g in boundaries.not_analysed]
        layers.append(pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": feats},
                                get_fill_color=[250, 250, 250], get_line_color=[180, 180, 180],
                                line_width_min_pixels=0.5, pickable=False))
    if arcs is not None and len(arcs):
        layers.append(pdk.Layer("ArcLayer", arcs.to_dict("records"), get_source_position=["src_lon", "src_lat"],
                                get_target_position=["dst_lon", "dst_lat"], get_width="width",
                                get_source_color=[31, 119, 180, 140], get_target_color=[214, 39, 40, 140],
                                pickable=True, great_circle=False))
    layers.append(pdk.Layer("ScatterplotLayer", points.to_dict("records"), get_position=["lon", "lat"],
                            get_fill_color="colour", get_radius="radius_km * 1000", radius_min_pixels=2,
                            pickable=True, stroked=True, get_line_color=[60, 60, 60],
                            line_width_min_pixels=0.5))
    return pdk.Deck(layers=layers, initial_view_state=pdk.ViewState(**VIEW), map_provider=None,
                    map_style=OFFLINE_STYLE, tooltip={"text": "{tip}"}, height=height)


def legend_chart(legend, value_label: str, fmt: str = ".2f"):
    """A small altair colour bar (continuous) or swatch list (categories) to sit under a map."""
    import altair as alt

    if isinstance(legend, dict):
        df = pd.DataFrame({"category": list(legend), "r": [c[0] for c in legend.values()],
                           "g": [c[1] for c in legend.values()], "b": [c[2] for c in legend.values()]})
        df["hex"] = ["#%02x%02x%02x" % (r, g, b) for r, g, b in zip(df.r, df.g, df.b)]
        return (alt.Chart(df).mark_square(size=160)
                .encode(x=alt.X("category:N", sort=list(legend), title=value_label,
                                axis=alt.Axis(labelAngle=0)),
                        color=alt.Color("hex:N", scale=None))
                .properties(height=60))
    lo, hi, pal = legend
    n = 60
    xs = np.linspace(lo, hi, n)
    df = pd.DataFrame({"x": xs, "x2": xs + (hi - lo) / (n - 1) if hi > lo else xs + 1,
                       "hex": ["#%02x%02x%02x" % tuple(_interp(pal, i / (n - 1))) for i in range(n)]})
    # The numbers go in the title: a stretched Streamlit chart this short clips an axis.
    mid = f", {format((lo + hi) / 2, fmt)} in the middle" if lo < 0 < hi or lo > 0 else ""
    title = f"{value_label}: {format(lo, fmt)} (left) to {format(hi, fmt)} (right){mid}"
    return (alt.Chart(df).mark_rect()
            .encode(x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[lo, hi], nice=False)), x2="x2:Q",
                    y=alt.value(0), y2=alt.value(14), color=alt.Color("hex:N", scale=None, legend=None))
            .properties(height=60, title=alt.TitleParams(title, fontSize=11, anchor="start", fontWeight="normal")))
