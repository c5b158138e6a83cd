"""Exact money and rate arithmetic. Money is Decimal 万元; rounding is half-up (四舍五入) everywhere."""

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
WAN_PER_YI = Decimal(10000)


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cents(total) -> Decimal:
    """A database sum of money columns as exact 万元 to the cent: 0 for no rows (None), and SQLite's float-ish
    text (365.900000000000) brought back to two places, half-up."""
    return Decimal("0.00") if total is None else round_half_up(Decimal(total), 2)


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole, or None when whole is zero (a rate of nothing is undefined, not 0)."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def percent(value: Decimal | None, places: int = 2) -> Decimal | None:
    """A ratio as a percentage rounded half-up: 0.173604 → Decimal('17.36')."""
    if value is None:
        return None
    return round_half_up(value * 100, places)


def strip_zeros(value: Decimal) -> str:
    """Plain decimal text without trailing zeros: 20.00 → '20', 15.10 → '15.1'."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def wan_to_yi_text(amount_wan: Decimal, places: int = 1) -> str:
    """万元 to 亿元 text with a fixed number of decimals: 47000 → '4.7'."""
    return format(round_half_up(Decimal(amount_wan) / WAN_PER_YI, places), "f")


def percent_text(value: Decimal | None, places: int = 2) -> str:
    """A ratio as bulletin text: at most `places` decimals, trailing zeros dropped: 0.2 → '20'."""
    pct = percent(value, places)
    return "—" if pct is None else strip_zeros(pct)


def parse_money(text: str) -> Decimal:
    """Text to Decimal; raises ValueError on anything but a plain number (no exponents, NaN or inf)."""
    cleaned = str(text).strip().replace(",", "")
    if not _PLAIN_NUMBER.match(cleaned):
        raise ValueError(f"not a number: {text!r}")
    return Decimal(cleaned)
