"""Map builders shared by every page, as Vega-Lite specifications for ``st.vega_lite_chart``: region
choropleths (``region_map``) and city dot-and-link maps (``city_map_spec``).

Vega-Lite rather than deck.gl (pydeck): a browser without a GPU (headless chromium here, many office
laptops and projector PCs) took 2-4 s to draw a deck.gl map, against well under a second for the same
map in SVG, which also prints, exports from the chart menu and carries a ticked colour bar. No basemap
is fetched: the Natural Earth context layer (neighbouring countries) is drawn underneath instead.
Tooltips are plain text (Vega-Lite's tooltip handler escapes its values), so names from a user's
boundary file can never inject markup.
"""
from __future__ import annotations

import math
from functools import lru_cache

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


# A box a little larger than mainland China: the map's projection is fitted to it, so every map frames
# the same area. The context layer (neighbouring countries) is cut to a wider box, and the marks are
# clipped to the view, so no cut edge shows.
CHINA_BOX = (72.0, 17.0, 136.0, 54.5)
CONTEXT_BOX = (50.0, 0.0, 160.0, 65.0)
PROJECTION = dict(type="conicEqualArea", rotate=[-105, 0, 0], parallels=[25, 47])


def _box_feature(box=CHINA_BOX) -> dict:
    x0, y0, x1, y1 = box
    ring = [[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]  # clockwise: d3 wants it so
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


@lru_cache(maxsize=1)
def _context_clipped() -> tuple:
    """Neighbouring countries cut to ``CONTEXT_BOX`` (fewer vertices to send and draw)."""
    from shapely.geometry import box, mapping, shape

    from sim.geo import context_features

    clip = box(*CONTEXT_BOX)
    out = []
    for f in context_features():
        g = shape(f["geometry"]).intersection(clip)
        if not g.is_empty and g.area > 0:
            out.append({"type": "Feature", "properties": {}, "geometry": mapping(g)})
    return tuple(out)


def _features(values: pd.Series, boundaries, value_label: str, fmt: str, extra: dict | None,
              numeric: bool) -> tuple[list, list, list]:
    """GeoJSON features with the value and tooltip lines as plain properties ``v``, ``t0``, ``t1`` ..."""
    with_value, without = [], []
    tips = [("name", "Region"), ("shown", value_label)]
    extras = list((extra or {}).items())
    tips += [(f"t{i}", label) for i, (label, _) in enumerate(extras)]
    for name, geom in boundaries.features.items():
        v = values.get(name, np.nan)
        if numeric:
            ok = v is not None and np.isfinite(float(v))
            shown = fmt.format(v) if ok else "no value"
        else:
            ok = v is not None and not (isinstance(v, float) and np.isnan(v))
            shown = str(v) if ok else "no value"
        props = {"name": str(name), "shown": shown, "v": (float(v) if numeric else str(v)) if ok else None}
        for i, (_, series) in enumerate(extras):
            if name in series.index:
                x = series[name]
                props[f"t{i}"] = "no value" if x is None or (isinstance(x, float) and not np.isfinite(x)) else str(x)
        (with_value if ok else without).append({"type": "Feature", "geometry": geom, "properties": props})
    return with_value, without, tips


def context_layer(proj: dict) -> dict:
    """The quiet basemap layer: neighbouring countries from the dataset named "context"
    (``_context_clipped()``), clipped to the view."""
    return {"data": {"name": "context"}, "projection": proj,
            "mark": {"type": "geoshape", "fill": "#f4f4f4", "stroke": "white", "strokeWidth": 0.7, "clip": True}}


def colour_encoding(values: pd.Series, field: str, value_label: str, *, legend_format: str = ".2f",
                    vmin: float | None = None, vmax: float | None = None, diverging: bool = False,
                    categories: dict | None = None, symbol: str = "square") -> dict:
    """The Vega-Lite colour channel every map shares: viridis over [vmin, vmax] (default: the data's
    range); diverging: ColorBrewer BrBG symmetric around 0 (brown for falls, teal for rises, so a gain
    is never red); categories: label -> RGB. The legend sits below the map: a colour bar with five
    labelled ticks, or category swatches."""
    legend = {"title": value_label, "orient": "bottom", "direction": "horizontal", "labelFontSize": 12,
              "titleFontSize": 12, "titleLimit": 600}
    if categories is not None:
        order = list(categories)
        return {"field": field, "type": "nominal", "sort": order,
                "scale": {"domain": order, "range": ["#%02x%02x%02x" % tuple(c) for c in categories.values()]},
                "legend": dict(legend, symbolType=symbol, symbolSize=180 if symbol == "square" else 120,
                               columns=len(order), labelLimit=240)}
    finite = values.astype(float)
    finite = finite[np.isfinite(finite)]
    if diverging:
        m = max(abs(vmin), abs(vmax)) if vmin is not None else (float(np.abs(finite).max()) if len(finite) else 1.0)
        scale = {"scheme": "brownbluegreen", "domain": [-(m or 1.0), m or 1.0], "domainMid": 0}
    else:
        lo = vmin if vmin is not None else (float(finite.min()) if len(finite) else 0.0)
        hi = vmax if vmax is not None else (float(finite.max()) if len(finite) else 1.0)
        scale = {"scheme": "viridis", "domain": [lo, hi if hi > lo else lo + 1e-9]}
    return {"field": field, "type": "quantitative", "scale": scale,
            "legend": dict(legend, format=legend_format, gradientLength=320, gradientThickness=14, tickCount=5)}


def region_map(values: pd.Series, boundaries, *, value_label: str, fmt: str = "{:.3f}",
               legend_format: str = ".2f", vmin: float | None = None, vmax: float | None = None,
               diverging: bool = False, categories: dict | None = None, extra: dict | None = None,
               height: int = 460, labels: bool = True, title: str | None = None) -> dict:
    """A labelled choropleth as a Vega-Lite spec (for ``st.vega_lite_chart``), with its colour bar
    or category legend.

    Drawn in SVG, not WebGL: it redraws fast on any machine (a deck.gl map took 2 s to redraw
    in a browser without a GPU), prints and exports (the chart menu saves PNG/SVG), and carries a
    ticked colour bar and region labels. No basemap is fetched: neighbouring countries come from the
    shipped Natural Earth layer. The geometry travels once, as named datasets, and the spec is built
    as plain JSON (altair's deep copies of 300 KB of coordinates cost 0.7 s per redraw).

    Parameters
    ----------
    values : Series indexed by region name; numbers, or category labels if ``categories`` maps
        label -> RGB.
    boundaries : sim.geo.Boundaries
    fmt : Python format of the value in the tooltip; ``legend_format`` the d3 format of the colour
        bar's labels.
    vmin, vmax : fixed colour range (default: the data's range; diverging: symmetric around 0).
    diverging : ColorBrewer BrBG centred on 0, brown for falls and teal for rises (a gain is never red).
    extra : label -> Series, more tooltip lines.

    Returns
    -------
    dict, a Vega-Lite v6 specification with its data under ``datasets``.
    """
    numeric = categories is None
    with_value, without, tips = _features(values, boundaries, value_label, fmt, extra, numeric)
    proj = dict(PROJECTION, fit=_box_feature())
    grey = [{"type": "Feature", "geometry": g, "properties": {"name": str(lab), "shown": "not analysed"}}
            for lab, g in boundaries.not_analysed] + without
    datasets = {"context": list(_context_clipped())}
    layers = [context_layer(proj)]
    if grey:
        datasets["grey"] = grey
        layers.append({"data": {"name": "grey"}, "projection": proj,
                       "mark": {"type": "geoshape", "fill": "#c8c8c8", "stroke": "white", "strokeWidth": 0.5},
                       "encoding": {"tooltip": [{"field": "properties.name", "type": "nominal", "title": "Region"},
                                                {"field": "properties.shown", "type": "nominal",
                                                 "title": value_label}]}})
    colour = colour_encoding(values, "properties.v", value_label, legend_format=legend_format, vmin=vmin,
                             vmax=vmax, diverging=diverging, categories=categories)
    if with_value:
        datasets["regions"] = with_value
        layers.append({"data": {"name": "regions"}, "projection": proj,
                       "mark": {"type": "geoshape", "stroke": "#8a8a8a", "strokeWidth": 0.6},
                       "encoding": {"color": colour,
                                    "tooltip": [{"field": f"properties.{k}", "type": "nominal", "title": t}
                                                for k, t in tips]}})
    if labels:
        pts = boundaries.label_points
        datasets["labels"] = [{"name": k, "lon": x, "lat": y} for k, (x, y) in pts.items()]
        enc = {"longitude": {"field": "lon", "type": "quantitative"},
               "latitude": {"field": "lat", "type": "quantitative"},
               "text": {"field": "name", "type": "nominal"}}
        for mark in ({"type": "text", "fontSize": 10, "stroke": "white", "strokeWidth": 3, "strokeOpacity": 0.85},
                     {"type": "text", "fontSize": 10, "color": "#1a1a1a"}):
            layers.append({"data": {"name": "labels"}, "projection": proj, "mark": mark, "encoding": enc})
    spec = {"height": height,
            "layer": layers, "datasets": datasets, "config": {"view": {"stroke": None}}}
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 13}
    return spec


def city_map_spec(points: pd.DataFrame, arcs: pd.DataFrame | None = None, boundaries=None,
                  height: int = 520) -> dict:
    """Cities as dots (columns lat, lon, tip, colour [r,g,b], radius_km) with optional straight links
    (columns src_lon, src_lat, dst_lon, dst_lat, width, tip) over province outlines, as a Vega-Lite
    spec for ``st.vega_lite_chart``, drawn in SVG (a browser without a GPU drew the former deck.gl
    version in seconds). Dot areas follow ``radius_km`` at the
    map's scale (about 6 km a pixel at 900 px wide)."""
    proj = dict(PROJECTION, fit=_box_feature())
    datasets = {"context": list(_context_clipped())}
    layers = [context_layer(proj)]
    if boundaries is not None:
        datasets["outlines"] = ([{"type": "Feature", "geometry": g, "properties": {}} for g in boundaries.features.values()]
                                + [{"type": "Feature", "geometry": g, "properties": {}} for _, g in boundaries.not_analysed])
        layers.append({"data": {"name": "outlines"}, "projection": proj,
                       "mark": {"type": "geoshape", "fill": "#fbfbfb", "stroke": "#b4b4b4", "strokeWidth": 0.5}})
    plain = lambda t: " · ".join(str(t).splitlines())  # noqa: E731  (one tooltip line per datum)
    if arcs is not None and len(arcs):
        datasets["links"] = [{"x": float(a.src_lon), "y": float(a.src_lat), "x2": float(a.dst_lon),
                              "y2": float(a.dst_lat), "w": float(a.width), "tip": plain(a.tip)}
                             for a in arcs.itertuples()]
        layers.append({"data": {"name": "links"}, "projection": proj,
                       "mark": {"type": "rule", "color": "#31688e", "opacity": 0.45},
                       "encoding": {"longitude": {"field": "x", "type": "quantitative"},
                                    "latitude": {"field": "y", "type": "quantitative"},
                                    "longitude2": {"field": "x2"}, "latitude2": {"field": "y2"},
                                    "strokeWidth": {"field": "w", "type": "quantitative", "scale": None},
                                    "tooltip": {"field": "tip", "type": "nominal", "title": "Link"}}})
    datasets["cities"] = [{"x": float(r.lon), "y": float(r.lat), "size": float(np.pi * (r.radius_km / 6.0) ** 2),
                           "hex": "#%02x%02x%02x" % tuple(int(c) for c in r.colour), "tip": plain(r.tip)}
                          for r in points.itertuples() if np.isfinite(r.lat) and np.isfinite(r.lon)]
    layers.append({"data": {"name": "cities"}, "projection": proj,
                   "mark": {"type": "circle", "opacity": 0.9, "stroke": "#3c3c3c", "strokeWidth": 0.5},
                   "encoding": {"longitude": {"field": "x", "type": "quantitative"},
                                "latitude": {"field": "y", "type": "quantitative"},
                                "size": {"field": "size", "type": "quantitative", "scale": None},
                                "color": {"field": "hex", "type": "nominal", "scale": None},
                                "tooltip": {"field": "tip", "type": "nominal", "title": "City"}}})
    return {"height": height, "layer": layers, "datasets": datasets, "config": {"view": {"stroke": None}}}


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
