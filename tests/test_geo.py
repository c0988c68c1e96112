"""Boundary loading: the shipped Natural Earth layer and user-supplied GeoJSON files."""
import json

import pytest

from sim import geo, schema


def test_shipped_layer_has_every_study_province_and_greys_the_rest():
    b = geo.load_boundaries()
    assert set(b.features) == set(schema.province_names())
    grey = {label for label, _ in b.not_analysed}
    assert {"Tibet", "Taiwan"} <= grey and any("Hong Kong" in g for g in grey) and any("Mac" in g for g in grey)
    assert b.notes == []


def _fc(features):
    return json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


def _square(x, y):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}


def test_user_file_matched_by_chinese_name_adcode_and_iso():
    raw = _fc([
        {"type": "Feature", "properties": {"名称": "北京市"}, "geometry": _square(116, 39)},
        {"type": "Feature", "properties": {"adcode": 440000}, "geometry": _square(113, 23)},
        {"type": "Feature", "properties": {"code": "CN-NM"}, "geometry": _square(111, 41)},
        {"type": "Feature", "properties": {"name": "Atlantis"}, "geometry": _square(0, 0)},
    ])
    b = geo.load_boundaries(raw)
    assert set(b.features) == {"Beijing", "Guangdong", "Inner Mongolia"}
    assert any("Atlantis" in n for n in b.notes)
    assert any("No boundary for" in n and "Shanghai" in n for n in b.notes)
    assert "uploaded" in b.source


@pytest.mark.parametrize("raw, fragment", [
    (b"not json", "not valid UTF-8 GeoJSON"),
    (b'{"type": "Feature"}', "FeatureCollection"),
    (_fc([{"type": "Feature", "properties": {"name": "Beijing"},
           "geometry": {"type": "Point", "coordinates": [116, 39]}}]), "Polygon or MultiPolygon"),
    (_fc([{"type": "Feature", "properties": {"name": "Beijing"}, "geometry": _square(12000000, 4000000)}]),
     "WGS84"),
    (_fc([{"type": "Feature", "properties": {"name": "Nowhere"}, "geometry": _square(1, 1)}]),
     "None of the 30 study provinces"),
    (_fc([{"type": "Feature", "properties": {"name": "Beijing"}, "geometry": _square(1, 1)},
          {"type": "Feature", "properties": {"name": "北京"}, "geometry": _square(2, 2)}]), "second feature"),
])
def test_bad_boundary_files_are_refused_with_a_reason(raw, fragment):
    with pytest.raises(geo.BoundaryError) as err:
        geo.load_boundaries(raw)
    assert any(fragment in p for p in err.value.problems), err.value.problems
