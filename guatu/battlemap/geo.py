"""County (区县) boundaries vendored for the battle map's county map, by administrative division code.

Pure: reads the files `scripts/vendor-boundaries.py` writes to `static/battlemap/geo/<province code>.json`
(one GeoJSON FeatureCollection per province, one Feature per county with id = properties.adcode = its
6-digit code, properties.name = its Chinese name, properties.prefecture = its prefecture's code). The page
loads the same file as a static URL; this module lets the server know which counties have a boundary.
Source, licence and simplification: docs/maps.md.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parent / "static" / "battlemap" / "geo"
STATIC_PREFIX = "battlemap/geo/"

# Codes the source still carries from before a renaming: the current code → the one in the file.
# 祁阳县 431121 became 祁阳市 431181 in 2021; the source keeps 431121.
RENUMBERED = {"431181": "431121"}


def division(code: str | None) -> str | None:
    """The 6-digit division code of a unit's code (6 or 12 digits, 统计用区划代码), or None."""
    code = (code or "").strip()[:6]
    if len(code) != 6 or not code.isdigit():
        return None
    return RENUMBERED.get(code, code)


def province_of(code: str | None) -> str | None:
    code = division(code)
    return code[:2] + "0000" if code else None


def province_file(code: str | None) -> Path | None:
    """The vendored file of the province holding `code` (a province, prefecture or county), or None."""
    province = province_of(code)
    if province is None:
        return None
    path = GEO_DIR / f"{province}.json"
    return path if path.is_file() else None


def static_path(code: str | None) -> str | None:
    """The file's path for `{% static %}` / `static()`, e.g. "battlemap/geo/430000.json", or None."""
    path = province_file(code)
    return STATIC_PREFIX + path.name if path else None


@lru_cache(maxsize=8)
def _load(path: Path) -> dict:
    collection = json.loads(path.read_text(encoding="utf-8"))
    return {feature["properties"]["adcode"]: feature for feature in collection["features"]}


def _features(province: str | None) -> dict:
    path = province_file(province)
    return _load(path) if path else {}


def counties_in(code: str | None) -> dict[str, str]:
    """{county code: name} of the counties with a boundary under a province, prefecture or county code."""
    code = division(code)
    if code is None:
        return {}
    if code.endswith("0000"):
        prefix = code[:2]
    elif code.endswith("00"):
        prefix = code[:4]
    else:
        prefix = code
    return {
        adcode: feature["properties"]["name"]
        for adcode, feature in _features(code).items()
        if adcode.startswith(prefix)
    }


def features_for(division_codes) -> dict:
    """A GeoJSON FeatureCollection of the given counties' boundaries (codes without one are left out).

    Codes of a renumbered county come back under the code asked for, so callers match them as they are.
    """
    features = []
    for asked in division_codes:
        code = division(asked)
        feature = _features(code).get(code) if code else None
        if feature is None:
            continue
        asked6 = asked.strip()[:6]
        if asked6 != code:
            feature = {**feature, "id": asked6, "properties": {**feature["properties"], "adcode": asked6}}
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}
