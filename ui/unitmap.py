"""Maps of the loaded units: a choropleth for the 30 provinces, points for any other units.

Units other than the study provinces (prefecture cities, counties, another country's regions) come
with coordinates but no boundaries, so they are drawn as points at their coordinates, coloured by
the value, over the neighbouring countries (when they lie in China's frame). Same signature and
colour scales as ``ui.maps.region_map`` (Vega-Lite, no basemap fetched); names from the user's data
travel only as data values and tooltips (text), never as markup.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ui import maps


def unit_map(values: pd.Series, boundaries, *, value_label: str, fmt: str = "{:.3f}",
             legend_format: str = ".2f", vmin: float | None = None, vmax: float | None = None,
             diverging: bool = False, categories: dict | None = None, extra: dict | None = None,
             height: int = 460, labels: bool = True, title: str | None = None) -> dict:
    """``ui.maps.region_map`` for the provinces; a point map of the active units otherwise."""
    from ui.spatial import active_units

    units = active_units()
    kw = dict(value_label=value_label, fmt=fmt, legend_format=legend_format, vmin=vmin, vmax=vmax,
              diverging=diverging, categories=categories, extra=extra, height=height, title=title)
    if units.provinces:
        return maps.region_map(values, boundaries, labels=labels, **kw)
    from ui.state import unit_boundaries

    own = unit_boundaries()  # the user's polygons of these units, if uploaded
    if own is not None:
        return maps.region_map(values, own, labels=labels and len(own.features) <= 40, **kw)
    return point_map(values, units, **kw)


def point_map(values: pd.Series, units, *, value_label: str, fmt: str = "{:.3f}", legend_format: str = ".2f",
              vmin: float | None = None, vmax: float | None = None, diverging: bool = False,
              categories: dict | None = None, extra: dict | None = None, height: int = 460,
              title: str | None = None) -> dict:
    """A Vega-Lite point map: one circle per unit at its coordinates, coloured by ``values``."""
    names = [n for n in units.names]
    lat, lon = units.coords(names)
    numeric = categories is None
    rows = []
    extras = list((extra or {}).items())
    for n, y, x in zip(names, lat, lon):
        v = values.get(n, np.nan)
        if numeric:
            ok = v is not None and np.isfinite(float(v))
            shown, val = (fmt.format(v), float(v)) if ok else ("no value", None)
        else:
            ok = v is not None and not (isinstance(v, float) and np.isnan(v))
            shown, val = (str(v), str(v)) if ok else ("no value", None)
        row = {"name": str(n), "lat": float(y), "lon": float(x), "v": val, "shown": shown}
        for i, (_, series) in enumerate(extras):
            row[f"t{i}"] = str(series[n]) if n in series.index else ""
        rows.append(row)
    colour = maps.colour_encoding(values, "v", value_label, legend_format=legend_format, vmin=vmin, vmax=vmax,
                                  diverging=diverging, categories=categories, symbol="circle")
    size = 140 if len(rows) <= 40 else (60 if len(rows) <= 400 else 18)
    tips = [{"field": "name", "type": "nominal", "title": "Unit"},
            {"field": "shown", "type": "nominal", "title": value_label}]
    tips += [{"field": f"t{i}", "type": "nominal", "title": label} for i, (label, _) in enumerate(extras)]
    in_china = bool(len(lat)) and (maps.CHINA_BOX[0] <= lon.min() and lon.max() <= maps.CHINA_BOX[2]
                                   and maps.CHINA_BOX[1] <= lat.min() and lat.max() <= maps.CHINA_BOX[3])
    datasets = {"units": rows}
    layers = []
    if in_china:
        proj = dict(maps.PROJECTION, fit=maps._box_feature())
        datasets["context"] = list(maps._context_clipped())
        layers.append(maps.context_layer(proj))
    else:
        pad = 0.5
        proj = {"type": "mercator", "fit": maps._box_feature((float(lon.min()) - pad, float(lat.min()) - pad,
                                                              float(lon.max()) + pad, float(lat.max()) + pad))}
    grey = [r for r in rows if r["v"] is None]
    if grey:
        datasets["grey"] = grey
        layers.append({"data": {"name": "grey"}, "projection": proj,
                       "mark": {"type": "circle", "size": size, "color": "#c8c8c8", "opacity": 0.9},
                       "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                                    "latitude": {"field": "lat", "type": "quantitative"}, "tooltip": tips[:2]}})
    datasets["units"] = [r for r in rows if r["v"] is not None]
    layers.append({"data": {"name": "units"}, "projection": proj,
                   "mark": {"type": "circle", "size": size, "opacity": 0.9, "stroke": "#555", "strokeWidth": 0.4},
                   "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                                "latitude": {"field": "lat", "type": "quantitative"},
                                "color": colour, "tooltip": tips}})
    spec = {"height": height, "layer": layers, "datasets": datasets, "config": {"view": {"stroke": None}}}
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 13}
    return spec
