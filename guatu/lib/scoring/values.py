"""Indicator values for a scheme, from a CSV file with columns unit,indicator,period,value[,target].

Rows whose indicator is `bonus`, `penalty` or `veto` carry those items (value = points, or 1 for a veto).
A value of NA, N/A or 不适用 marks the indicator not applicable to that unit for that period. Every row is
checked before anything is used; the errors name the row and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SPECIAL = ("bonus", "penalty", "veto")
NOT_APPLICABLE = {"na", "n/a", "不适用"}
_PERIOD = re.compile(r"^\d{4}(-\d{2})?$")
REQUIRED = ("unit", "indicator", "period", "value")


class ValuesError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Value:
    value: Decimal | None  # None: not applicable
    target: Decimal | None = None


@dataclass
class Values:
    """Indicator values by (unit, indicator code, period), and the bonus/penalty/veto items by unit."""

    items: dict[tuple[str, str, str], Value] = field(default_factory=dict)
    bonus: dict[str, list[Decimal]] = field(default_factory=dict)
    penalty: dict[str, list[Decimal]] = field(default_factory=dict)
    veto: dict[str, list[Decimal]] = field(default_factory=dict)

    def get(self, unit: str, indicator: str, period: str) -> Value | None:
        return self.items.get((unit, indicator, period))

    def set(
        self, unit: str, indicator: str, period: str, value: Decimal | None, target: Decimal | None = None
    ):
        self.items[(unit, indicator, period)] = Value(value, target)

    def add_item(self, kind: str, unit: str, points: Decimal) -> None:
        getattr(self, kind).setdefault(unit, []).append(points)

    def periods(self) -> list[str]:
        return sorted({p for (_, _, p) in self.items})


def _number(text: str, row: int, column: str, errors: list[str]) -> Decimal | None:
    cleaned = text.strip().replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        errors.append(f"第{row}行 {column} 列：“{text}”不是数字")
        return None
    if not value.is_finite():
        errors.append(f"第{row}行 {column} 列：“{text}”不是有限的数字")
        return None
    return value


def values_from_csv(
    text: str, *, units: set[str] | None = None, indicators: set[str] | None = None
) -> Values:
    """Parse and check every row; raise ValuesError listing all problems (row numbers count the header as 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValuesError(
            [f"第1行（表头）：缺少列 {', '.join(missing)}；应为 unit,indicator,period,value[,target]"]
        )
    values = Values()
    errors: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row_number, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        unit, code, period, text = row["unit"], row["indicator"], row["period"], row["value"]
        if not unit:
            errors.append(f"第{row_number}行 unit 列：单位不能为空")
            continue
        if units is not None and unit not in units:
            errors.append(f"第{row_number}行 unit 列：方案中没有单位“{unit}”")
            continue
        if code in SPECIAL:
            points = _number(text, row_number, "value", errors)
            if points is not None:
                if points < 0:
                    errors.append(f"第{row_number}行 value 列：{code} 的分值不能为负数")
                else:
                    values.add_item(code, unit, points)
            continue
        if indicators is not None and code not in indicators:
            errors.append(f"第{row_number}行 indicator 列：方案中没有指标“{code}”")
            continue
        if not _PERIOD.match(period):
            errors.append(f"第{row_number}行 period 列：“{period}”应为 YYYY-MM（如 2022-03）")
            continue
        key = (unit, code, period)
        if key in seen:
            errors.append(f"第{row_number}行：与第{seen[key]}行重复（{unit} / {code} / {period}）")
            continue
        seen[key] = row_number
        value = None if text.lower() in NOT_APPLICABLE else _number(text, row_number, "value", errors)
        if value is None and text.lower() not in NOT_APPLICABLE:
            continue
        target = None
        if row.get("target"):
            target = _number(row["target"], row_number, "target", errors)
        values.set(unit, code, period, value, target)
    if errors:
        raise ValuesError(errors)
    return values
