from decimal import Decimal as D

from guatu.lib.progress import Progress, combined, time_progress


def test_time_progress_is_months_over_twelve():
    assert time_progress(3) == D("0.25")
    assert time_progress(12) == D(1)


def test_unphased_plan_is_pro_rata():
    p = Progress(month=3, ytd_completed=D("350.50"), annual_plan=D(2000))
    assert p.planned_to_date == D(500)
    assert p.planned_progress == p.time_progress == D("0.25")
    assert p.completion_rate == D("0.17525")
    assert p.deviation_points == D("-7.48")  # 17.525 − 25 = −7.475 → −7.48 half-up
    assert p.behind_points == D("7.48")


def test_phased_plan_gives_the_planned_progress_and_time_progress_stays_months():
    # 1000 phased: 100 in March, 900 in December: 100 planned by March → 10%, time progress still 25%.
    p = Progress(
        month=3,
        ytd_completed=D(80),
        annual_plan=D(1000),
        phased_to_date=D(100),
        phased_whole=D(1000),
        phased=True,
    )
    assert (p.planned_to_date, p.planned_progress, p.time_progress) == (D(100), D("0.1"), D("0.25"))
    assert p.deviation_points == D("-2.00")


def test_partly_phased_plan_spreads_the_rest_pro_rata():
    # 1200 of which 600 phased (300 by March); the other 600 counts 3/12: 300 + 150 = 450.
    p = Progress(month=3, annual_plan=D(1200), phased_to_date=D(300), phased_whole=D(600), phased=True)
    assert p.planned_to_date == D(450) and p.planned_progress == D("0.375")


def test_without_a_plan_there_is_no_rate_and_progress_is_months():
    p = Progress(month=6, ytd_completed=D(10))
    assert (p.planned_to_date, p.completion_rate, p.deviation_points) == (None, None, None)
    assert p.planned_progress == D("0.5")


def test_combined_weights_the_plan_curve_by_plan():
    a = Progress(
        month=3,
        ytd_completed=D(100),
        annual_plan=D(1000),
        phased_to_date=D(100),
        phased_whole=D(1000),
        phased=True,
    )
    b = Progress(month=3, ytd_completed=D(250), annual_plan=D(1000))
    both = combined(3, [a, b])
    assert (both.ytd_completed, both.annual_plan, both.planned_to_date) == (D(350), D(2000), D(350))
    assert both.planned_progress == D("0.175") and both.time_progress == D("0.25")
    assert combined(3, []).completion_rate is None


def test_with_amount_adds_to_the_year_to_date():
    p = Progress(month=3, ytd_completed=D(100), annual_plan=D(1000)).with_amount(D(50))
    assert p.ytd_completed == D(150) and p.completion_rate == D("0.15")
