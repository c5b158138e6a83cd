"""Reading scheme and values files, and writing results as CSV or JSON: what `guatu assess score` does."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import yaml

from guatu.lib import safe_yaml
from guatu.lib.scoring import (
    Scheme,
    SchemeError,
    SchemeResult,
    Values,
    ValuesError,
    scheme_from_dict,
    values_from_csv,
)
from guatu.lib.text_files import TextFileError, read_text


def read_scheme(path: Path) -> Scheme:
    try:
        data = safe_yaml.load(read_text(path, max_bytes=safe_yaml.MAX_BYTES))
    except TextFileError as exc:
        raise SchemeError(str(exc)) from None
    except safe_yaml.SafeYamlError as exc:
        raise SchemeError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise SchemeError(f"not valid YAML: {exc}") from None
    return scheme_from_dict(data)


def read_values(path: Path, scheme: Scheme) -> Values:
    """ValuesError naming the problem (a wrong encoding, a bad row) when the file cannot be taken."""
    try:
        text = read_text(path)
    except TextFileError as exc:
        raise ValuesError([str(exc)]) from None
    return values_from_csv(
        text,
        units=set(scheme.units),
        indicators={i.code for i in scheme.indicators},
    )


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def result_rows(scheme: Scheme, result: SchemeResult) -> list[dict]:
    rows = []
    for group in result.groups:
        for unit in group.units:
            row = {"group": group.name, "unit": unit.unit}
            for ind in scheme.indicators:
                score = unit.scores.get(ind.code)
                row[ind.code] = "" if score is None or score.points is None else _text(score.points)
            row.update(
                {
                    "base": _text(unit.base),
                    "rescaled": _text(unit.rescaled),
                    "bonus": _text(unit.bonus),
                    "penalty": _text(unit.penalty),
                    "total": _text(unit.total),
                    "veto": "1" if unit.vetoed else "",
                    "rank": str(unit.rank),
                    "grade": unit.grade,
                }
            )
            rows.append(row)
    return rows


def result_csv(scheme: Scheme, result: SchemeResult) -> str:
    rows = result_rows(scheme, result)
    out = io.StringIO()
    fields = [
        "group",
        "unit",
        *[i.code for i in scheme.indicators],
        "base",
        "rescaled",
        "bonus",
        "penalty",
        "total",
        "veto",
        "rank",
        "grade",
    ]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def result_json(scheme: Scheme, result: SchemeResult) -> str:
    return json.dumps(result_dict(scheme, result), ensure_ascii=False, indent=2)


def result_dict(scheme: Scheme, result: SchemeResult) -> dict:
    groups = []
    for group in result.groups:
        groups.append(
            {
                "group": group.code,
                "name": group.name,
                "units": [
                    {
                        "unit": u.unit,
                        "indicators": {
                            code: {
                                "points": _text(s.points) or None,
                                "value": _text(s.value) or None,
                                "how": s.how,
                            }
                            for code, s in u.scores.items()
                        },
                        "base": _text(u.base),
                        "rescaled": _text(u.rescaled),
                        "rescaled_for": dict(u.rescaled_for),
                        "bonus": _text(u.bonus),
                        "penalty": _text(u.penalty),
                        "total": _text(u.total),
                        "vetoed": u.vetoed,
                        "rank": u.rank,
                        "grade": u.grade,
                    }
                    for u in group.units
                ],
            }
        )
    return {"scheme": scheme.code, "period": result.period, "groups": groups}


def inputs_csv(inputs: dict) -> str:
    """A snapshot's frozen inputs as a values file that `guatu assess score` reads back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["unit", "indicator", "period", "value", "target"])
    period = max((row["period"] for row in inputs["values"]), default="")
    for row in inputs["values"]:
        writer.writerow(
            [
                row["unit"],
                row["indicator"],
                row["period"],
                "NA" if row["value"] is None else row["value"],
                row.get("target") or "",
            ]
        )
    for item in inputs["items"]:
        writer.writerow([item["unit"], item["kind"], period, item["points"], ""])
    return out.getvalue()
