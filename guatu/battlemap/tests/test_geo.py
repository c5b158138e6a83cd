"""The vendored county boundaries (static/battlemap/geo/) and the helpers that index them (battlemap/geo.py)."""

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from guatu.battlemap import geo

HUNAN = geo.GEO_DIR / "430000.json"
SIZE_BUDGET = 300 * 1024  # one province's file, before WhiteNoise compresses it

LOUDI = {"431302": "娄星区", "431321": "双峰县", "431322": "新化县", "431381": "冷水江市", "431382": "涟源市"}

# Hunan's 122 county-level units by prefecture (民政部 codes; 祁阳市 is 431121 in the source, see geo.RENUMBERED).
HUNAN_COUNTIES = {
    "4301": ["02", "03", "04", "05", "11", "12", "21", "81", "82"],
    "4302": ["02", "03", "04", "11", "12", "23", "24", "25", "81"],
    "4303": ["02", "04", "21", "81", "82"],
    "4304": ["05", "06", "07", "08", "12", "21", "22", "23", "24", "26", "81", "82"],
    "4305": ["02", "03", "11", "22", "23", "24", "25", "27", "28", "29", "81", "82"],
    "4306": ["02", "03", "11", "21", "23", "24", "26", "81", "82"],
    "4307": ["02", "03", "21", "22", "23", "24", "25", "26", "81"],
    "4308": ["02", "11", "21", "22"],
    "4309": ["02", "03", "21", "22", "23", "81"],
    "4310": ["02", "03", "21", "22", "23", "24", "25", "26", "27", "28", "81"],
    "4311": ["02", "03", "21", "22", "23", "24", "25", "26", "27", "28", "29"],
    "4312": ["02", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "81"],
    "4313": ["02", "21", "22", "81", "82"],
    "4331": ["01", "22", "23", "24", "25", "26", "27", "30"],
}


def _points(feature):
    return {tuple(pt) for polygon in feature["geometry"]["coordinates"] for ring in polygon for pt in ring}


def test_hunan_file_parses_as_a_feature_collection_within_its_budget():
    assert HUNAN.stat().st_size < SIZE_BUDGET
    collection = json.loads(HUNAN.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        assert feature["id"] == feature["properties"]["adcode"]
        assert feature["geometry"]["type"] == "MultiPolygon"
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1], feature["properties"]["name"]
                assert all(108 < x < 115 and 24 < y < 31 for x, y in ring)  # inside Hunan
                assert all(round(x, 4) == x and round(y, 4) == y for x, y in ring)


def test_hunan_has_every_county_level_unit_and_no_other():
    expected = {prefecture + suffix for prefecture, suffixes in HUNAN_COUNTIES.items() for suffix in suffixes}
    assert len(expected) == 122
    assert set(geo.counties_in("430000")) == expected


def test_loudi_prefecture_counties_by_name():
    assert geo.counties_in("431300") == LOUDI
    assert geo.counties_in("431300000000") == LOUDI  # a 12-digit 统计用区划代码 works too


def test_features_for_returns_the_asked_counties_only():
    collection = geo.features_for(["431381", "431322000000", "999999", "", "abc"])
    assert collection["type"] == "FeatureCollection"
    assert [(f["id"], f["properties"]["name"]) for f in collection["features"]] == [
        ("431381", "冷水江市"),
        ("431322", "新化县"),
    ]


def test_a_renumbered_county_is_found_under_its_current_code():
    (feature,) = geo.features_for(["431181"])["features"]
    assert (feature["id"], feature["properties"]["adcode"], feature["properties"]["name"]) == (
        "431181",
        "431181",
        "祁阳市",
    )
    assert geo.features_for(["431121"])["features"][0]["properties"]["name"] == "祁阳市"


def test_province_file_and_static_path():
    assert geo.province_file("431381") == HUNAN
    assert geo.static_path("431300") == "battlemap/geo/430000.json"
    assert geo.province_file("110101") is None  # Beijing is not vendored
    assert geo.static_path(None) is None
    assert geo.division(" 431381 ") == "431381"
    assert geo.division("4313") is None


def test_neighbouring_counties_keep_shared_borders():
    """Simplification keeps borders shared: most edges belong to two counties, only the province's outline
    to one (simplifying each county alone leaves most edges unshared: slivers and gaps between counties)."""
    uses = Counter()
    for feature in json.loads(HUNAN.read_text(encoding="utf-8"))["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                uses.update(frozenset((tuple(a), tuple(b))) for a, b in zip(ring, ring[1:], strict=False))
    assert set(uses.values()) == {1, 2}
    assert sum(1 for n in uses.values() if n == 2) > 0.7 * len(uses)
    by_code = {f["id"]: f for f in geo.features_for(list(LOUDI))["features"]}
    assert _points(by_code["431381"]) & _points(by_code["431322"])  # 冷水江市 borders 新化县


# --- scripts/vendor-boundaries.py: the simplification on small hand-made shapes


@pytest.fixture(scope="module")
def vendor():
    path = Path(__file__).resolve().parents[3] / "scripts" / "vendor-boundaries.py"
    spec = importlib.util.spec_from_file_location("vendor_boundaries", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_douglas_peucker_drops_points_within_tolerance(vendor):
    chain = [(0.0, 0.0), (1.0, 0.334), (2.0, 0.666), (3.0, 1.0), (4.0, 0.0)]
    assert vendor.douglas_peucker(chain, 0.01) == [(0.0, 0.0), (3.0, 1.0), (4.0, 0.0)]
    assert vendor.douglas_peucker(chain, 0.0001) == chain
