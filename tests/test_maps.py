"""Region maps (ui.maps.region_map) and their label points (sim.geo.label_points)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, shape

from sim import schema
from sim.geo import label_points, load_boundaries
from ui.maps import region_map


@pytest.fixture(scope="module")
def boundaries():
    return load_boundaries()


def _layer(spec, name):
    return [lyr for lyr in spec["layer"] if lyr["data"]["name"] == name]


def test_every_label_point_lies_inside_its_own_province(boundaries):
    pts = label_points(boundaries.features)
    assert set(pts) == set(schema.province_names())
    for name, (x, y) in pts.items():
        assert shape(boundaries.features[name]).contains(Point(x, y)), name
    # Hebei surrounds Beijing and Tianjin: its label must not fall in either
    hebei = Point(*pts["Hebei"])
    assert not shape(boundaries.features["Beijing"]).contains(hebei)
    assert not shape(boundaries.features["Tianjin"]).contains(hebei)


def test_diverging_map_is_centred_on_zero_brown_for_falls_and_labelled(boundaries):
    names = list(boundaries.features)
    v = pd.Series(np.linspace(-0.02, 0.05, len(names)), index=names)
    v.iloc[3] = np.nan
    spec = region_map(v, boundaries, value_label="change in D", fmt="{:+.3f}", legend_format="+.3f",
                      diverging=True, extra={"D baseline": pd.Series(0.5, index=names)})
    json.dumps(spec)  # plain JSON, nothing altair-specific
    colour = _layer(spec, "regions")[0]["encoding"]["color"]
    assert colour["scale"] == {"scheme": "brownbluegreen", "domain": [-0.05, 0.05], "domainMid": 0}
    assert colour["legend"]["format"] == "+.3f" and colour["legend"]["tickCount"] == 5
    shown = {f["properties"]["name"]: f["properties"]["shown"] for f in spec["datasets"]["regions"]}
    assert shown[names[0]] == "-0.020" and len(shown) == len(names) - 1
    grey = {f["properties"]["name"]: f["properties"]["shown"] for f in spec["datasets"]["grey"]}
    assert grey[names[3]] == "no value"
    assert grey["Tibet"] == "not analysed"
    assert {d["name"] for d in spec["datasets"]["labels"]} == set(names)
    assert all(f["properties"]["t0"] == "0.5" for f in spec["datasets"]["regions"])


def test_sequential_and_category_maps(boundaries):
    names = list(boundaries.features)
    seq = region_map(pd.Series(0.4, index=names), boundaries, value_label="D", vmin=0.0, vmax=1.0)
    assert _layer(seq, "regions")[0]["encoding"]["color"]["scale"] == {"scheme": "viridis", "domain": [0.0, 1.0]}
    cats = {"low": (255, 0, 0), "high": (0, 0, 255)}
    lab = pd.Series(["low", "high"] * (len(names) // 2), index=names)
    spec = region_map(lab, boundaries, value_label="class", categories=cats, labels=False)
    colour = _layer(spec, "regions")[0]["encoding"]["color"]
    assert colour["scale"] == {"domain": ["low", "high"], "range": ["#ff0000", "#0000ff"]}
    assert "labels" not in spec["datasets"]
