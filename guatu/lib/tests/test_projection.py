from decimal import Decimal as D

from guatu.lib.projection import cumulative_share, project_year_end


def test_linear_when_nothing_else_is_known():
    # 300 done by March: 300 ÷ (3/12) = 1200, below a plan of 1500.
    p = project_year_end(ytd=D(300), month=3, annual_plan=D(1500))
    assert (p.year_end, p.basis, p.below_plan) == (D("1200.00"), "linear", True)


def test_phased_plan_gives_the_share():
    # Phased plan puts 100 of 1000 in Q1: 80 done → 80 ÷ 0.1 = 800 < 1000.
    p = project_year_end(ytd=D(80), month=3, annual_plan=D(1000), planned_to_date=D(100))
    assert (p.year_end, p.basis, p.below_plan) == (D("800.00"), "phased_plan", True)


def test_history_shape_wins_and_warns_before_time_progress_does():
    # Earlier years did 40% of their year by March (hand-computed: 2020 → 40/100, 2021 → 80/200).
    history = {
        2020: [D(10), D(10), D(20)] + [D("7.5")] * 8 + [D(0)],
        2021: [D(20), D(20), D(40)] + [D(15)] * 8 + [D(0)],
    }
    assert cumulative_share(history[2020], 3) == D("0.4")
    # 30% done by March looks ahead of time progress (25%), but the usual pace is 40%:
    # 300 ÷ 0.4 = 750, below the plan of 1000.
    p = project_year_end(ytd=D(300), month=3, annual_plan=D(1000), history=history)
    assert (p.year_end, p.basis, p.below_plan) == (D("750.00"), "history", True)


def test_years_without_investment_are_ignored_and_rounding_is_half_up():
    history = {2020: [D(0)] * 12, 2021: [D(1)] * 12}  # 2021: 3/12 by March
    p = project_year_end(ytd=D("100.005"), month=3, annual_plan=D(100), history=history)
    assert p.share_to_date == D("0.25") and p.year_end == D("400.02") and not p.below_plan


def test_a_curve_with_nothing_by_this_month_falls_back_and_says_so():
    # 2021 did everything in December: its share by March is 0, which cannot divide. Straight line:
    # 5 ÷ 3/12 = 20, flagged as resting on less history.
    history = {2021: [D(0)] * 11 + [D(10)]}
    p = project_year_end(ytd=D(5), month=3, annual_plan=D(10), history=history)
    assert (p.year_end, p.basis, p.short_history, p.partial_years) == (D("20.00"), "linear", True, (2021,))


def test_a_partial_earlier_year_is_left_out_and_flagged():
    # Started in June 2021: January-May have no amount. That year says nothing about March, so March 2022
    # projects from the phased plan (200 of 1000 by March: 150 ÷ 0.2 = 750), flagged.
    started_june = [None] * 5 + [D(100)] * 7
    p = project_year_end(
        ytd=D(150), month=3, annual_plan=D(1000), history={2021: started_june}, planned_to_date=D(200)
    )
    assert (p.year_end, p.basis, p.short_history, p.partial_years) == (
        D("750.00"),
        "phased_plan",
        True,
        (2021,),
    )
    # With a full 2020 beside it, 2020's curve is used (40% by March: 150 ÷ 0.4 = 375); still flagged.
    full_2020 = [D(10), D(10), D(20)] + [D("7.5")] * 8 + [D(0)]
    p = project_year_end(
        ytd=D(150), month=3, annual_plan=D(1000), history={2020: full_2020, 2021: started_june}
    )
    assert (p.year_end, p.basis, p.years_used, p.partial_years) == (D("375.00"), "history", (2020,), (2021,))


def test_a_full_history_is_not_flagged():
    p = project_year_end(ytd=D(100), month=3, annual_plan=D(100), history={2021: [D(1)] * 12})
    assert p.basis == "history" and not p.short_history
