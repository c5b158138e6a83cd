import pytest

from guatu.lib.periods import Period, PeriodError


def test_parse_and_format_round_trip():
    assert str(Period.parse("2022-03")) == "2022-03"
    assert Period.parse(" 2022-12 ") == Period(2022, 12)


@pytest.mark.parametrize("text", ["2022-3", "2022-13", "2022-00", "22-03", "2022/03", ""])
def test_parse_rejects_malformed(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_previous_and_next_cross_years():
    assert Period(2022, 1).previous() == Period(2021, 12)
    assert Period(2021, 12).next() == Period(2022, 1)


def test_label_names_the_window_from_january():
    assert Period(2022, 3).label_zh() == "1-3月"
    assert Period(2022, 1).label_zh() == "1月"
