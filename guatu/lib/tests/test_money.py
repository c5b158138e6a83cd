from decimal import Decimal

import pytest

from guatu.lib.money import parse_money, percent, percent_text, ratio, round_half_up, wan_to_yi_text


def test_round_half_up_not_bankers():
    # Python's round() would give 0.12 (half to even); 四舍五入 gives 0.13.
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert round_half_up(Decimal("2.5"), 0) == Decimal("3")


def test_ratio_of_zero_whole_is_undefined():
    assert ratio(Decimal(5), Decimal(0)) is None
    assert percent(None) is None
    assert percent_text(None) == "—"


def test_percent_text_drops_trailing_zeros():
    assert percent_text(Decimal("0.2")) == "20"
    assert percent_text(Decimal("0.151")) == "15.1"
    assert percent_text(Decimal(83000) / Decimal(478100)) == "17.36"
    assert percent_text(Decimal("0.0012345")) == "0.12"


def test_wan_to_yi_rounds_half_up_to_one_decimal():
    assert wan_to_yi_text(Decimal(47000)) == "4.7"
    assert wan_to_yi_text(Decimal(152500)) == "15.3"
    assert wan_to_yi_text(Decimal("152499.99")) == "15.2"
    assert wan_to_yi_text(Decimal(100000)) == "10.0"


@pytest.mark.parametrize("text", ["abc", "", "1e999999", "NaN", "inf"])
def test_parse_money_rejects_non_numbers(text):
    with pytest.raises(ValueError):
        parse_money(text)


def test_parse_money_accepts_thousands_separators():
    assert parse_money("1,234.50") == Decimal("1234.50")
