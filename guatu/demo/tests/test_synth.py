"""`guatu synth`: a tiny synthetic province (2 counties × 5 projects × 2 years) built inside each test's
transaction, on a fixed day (2025-06-15), so the months reported are 2024-01 to 2025-06.

The demo's tests load the demo once for this package, outside the test transactions, so the database may hold
the demo's county. `build()` builds the province beside it, with the refusal of a database that has org units
switched off for that call only (test_a_second_run_is_refused checks the refusal), and every check here looks
at the province's own subtree."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from guatu.access.gateway import visible_problems, visible_projects
from guatu.accounts.models import Role, User
from guatu.assessment.models import IndicatorValue, Scheme
from guatu.assessment.queries import gather_inputs
from guatu.assessment.services import compute
from guatu.demo import synth
from guatu.demo.synth import SYNTH_PASSWORD, SynthError, assessment_period, build_province
from guatu.lib.periods import Period
from guatu.lights.models import ProjectLight
from guatu.orgs.models import OrgUnit, OrgUnitKind
from guatu.projects import phasing
from guatu.projects.models import AnnualPlan, Project
from guatu.reports import rollups
from guatu.reports.models import MonthlyReport, ReportStatus

COUNTIES, PER_COUNTY, YEARS = 2, 5, 2
TODAY = date(2025, 6, 15)
MONTHS = 12 + 6  # 2024-01 to 2025-06


@pytest.fixture
def fixed_day(db, settings):
    settings.GUATU_TODAY = TODAY


def build(monkeypatch, *, seed: int = 7, **arguments):
    with monkeypatch.context() as patch:
        patch.setattr(synth, "existing_units", lambda: 0)
        return build_province(
            **{
                "counties": COUNTIES,
                "projects_per_county": PER_COUNTY,
                "years": YEARS,
                "seed": seed,
                "end_year": TODAY.year,
                **arguments,
            }
        )


@pytest.fixture
def province(fixed_day, monkeypatch):
    return build(monkeypatch)


def units(result):
    return OrgUnit.objects.subtree(OrgUnit.objects.get(pk=result.province_pk))


def projects(result):
    return Project.objects.in_unit(OrgUnit.objects.get(pk=result.province_pk))


def reports(result):
    return MonthlyReport.objects.filter(project__in=projects(result))


def test_tree_kinds_and_materialised_paths(province):
    for unit in units(province).select_related("parent"):
        assert unit.path == f"{unit.parent.path if unit.parent else ''}{unit.pk}/"
    root = OrgUnit.objects.get(pk=province.province_pk)
    assert (root.parent, root.kind, root.division_code) == (None, OrgUnitKind.PROVINCE, "480000")
    prefectures = units(province).filter(kind=OrgUnitKind.PREFECTURE)
    assert prefectures.count() == COUNTIES  # one each: fewer counties than the 14 prefectures
    assert all(p.parent_id == root.pk for p in prefectures)
    counties = units(province).filter(kind=OrgUnitKind.COUNTY)
    assert counties.count() == COUNTIES
    for county in counties:
        assert len(county.division_code) == 6
        assert county.division_code.startswith(county.parent.division_code[:4])
        kinds = dict(county.children.order_by().values_list("kind").annotate(n=Count("id")))
        assert kinds == {
            OrgUnitKind.TOWNSHIP: 6,
            OrgUnitKind.STREET: 3,
            OrgUnitKind.ZONE: 1,
            OrgUnitKind.DEPARTMENT: 20,
        }
        assert county.leaders.count() == 8
    county = OrgUnit.objects.get(pk=province.county_pk)
    assert county.parent_id == province.prefecture_pk
    township = OrgUnit.objects.get(pk=province.township_pk)
    assert (township.parent_id, township.kind) == (county.pk, OrgUnitKind.TOWNSHIP)


def test_projects_reports_and_plans_match_the_arguments(province):
    assert projects(province).count() == province.projects == COUNTIES * PER_COUNTY
    assert reports(province).count() == province.reports == COUNTIES * PER_COUNTY * MONTHS
    assert (province.first_period, province.last_period) == ("2024-01", "2025-06")
    periods = set(reports(province).values_list("year", "month").distinct())
    assert periods == {(2024, m) for m in range(1, 13)} | {(2025, m) for m in range(1, 7)}
    # report_once_a_month holds: one report per project and month
    per_month = reports(province).values("project", "year", "month").annotate(n=Count("id"))
    assert {row["n"] for row in per_month} == {1}
    # approved up to the last two months; those are a mix of the other states
    early = reports(province).exclude(year=2025, month__in=[5, 6])
    assert set(early.values_list("status", flat=True)) == {ReportStatus.APPROVED}
    late = set(reports(province).filter(year=2025, month__in=[5, 6]).values_list("status", flat=True))
    assert late and ReportStatus.APPROVED not in late
    assert all(r.amount == r.amount.quantize(Decimal("0.01")) for r in reports(province))
    # a plan for each year of the range; a phased plan's months add up to it
    plans = AnnualPlan.objects.filter(project__in=projects(province))
    assert plans.count() == province.plans == COUNTIES * PER_COUNTY * YEARS
    for plan in plans.filter(months__isnull=False).distinct():
        assert plan.months.count() == 12
        assert plan.months.aggregate(total=Sum("amount"))["total"] == plan.amount
    for project in projects(province).prefetch_related("tags", "support_links"):
        assert 1 <= project.tags.count() <= 3
        assert project.support_links.count() >= 1
        assert project.location_unit.kind in (OrgUnitKind.TOWNSHIP, OrgUnitKind.STREET, OrgUnitKind.ZONE)
        assert project.start_year <= 2024 and project.end_year >= 2025
    # the approved-totals roll-up was rebuilt after the reports, the phased columns after the months
    assert rollups.differences(projects(province).values_list("pk", flat=True)) == []
    assert phasing.differences() == []
    # the lights of the last month with every report approved, for every counted project with a plan that year
    lit = ProjectLight.objects.filter(project__in=projects(province))
    assert set(lit.values_list("year", "month").distinct()) == {(2025, 4)}
    assert lit.count() == province.lights == projects(province).counted().filter(plans__year=2025).count()


def test_personas_see_their_scope(province):
    users = {user.username: user for user in User.objects.filter(username__in=province.usernames)}
    assert set(users) == set(province.usernames)
    assert all(user.check_password(SYNTH_PASSWORD) for user in users.values())
    county = OrgUnit.objects.get(pk=province.county_pk)
    township = OrgUnit.objects.get(pk=province.township_pk)

    def seen(username: str) -> set[int]:
        return set(visible_projects(users[username]).values_list("pk", flat=True))

    everything = set(projects(province).values_list("pk", flat=True))
    of_county = set(Project.objects.in_unit(county).values_list("pk", flat=True))
    assert len(everything) == COUNTIES * PER_COUNTY and len(of_county) == PER_COUNTY
    assert seen(province.province_reviewer) == everything
    # the prefecture has one county of the two: its reviewer sees that county's projects only
    assert seen(province.prefecture_reviewer) == of_county
    assert users[province.county_reviewer].role == Role.REVIEWER
    assert seen(province.county_reviewer) == of_county
    own = seen(province.township_reporter)
    assert own and own == set(Project.objects.in_unit(township).values_list("pk", flat=True))
    problems = set(visible_problems(users[province.prefecture_reviewer]).values_list("project", flat=True))
    assert problems and problems <= of_county  # a county's first project always has a problem
    assert len(visible_problems(users[province.province_reviewer])) == province.problems >= COUNTIES
    leader = users[province.county_leader]
    assert leader.role == Role.LEADER
    led = seen(province.county_leader)
    assert led and led == set(
        Project.objects.filter(responsible_leader=leader.leader_id).values_list("pk", flat=True)
    )


def test_a_county_scheme_scores_with_the_values_entered(province):
    """The scheme passed the scheme service's checks, and every unit has every value its indicators need."""
    scheme = Scheme.objects.get(jurisdiction_id=province.county_pk)
    period = Period(*assessment_period((2025, 6)))
    assert (scheme.year, period.month) == (2025, 6)
    assert IndicatorValue.objects.filter(unit__parent_id=province.county_pk).count() > 30 * 30
    result = compute(scheme.definition, gather_inputs(scheme, period), period)
    assert len([unit for group in result["groups"] for unit in group["units"]]) == 30


def test_a_second_run_is_refused(province):
    before = OrgUnit.objects.count()
    with pytest.raises(CommandError, match=f"数据库中已有 {before} 个组织单位"):
        call_command("synth", "--counties", "1", "--end-year", "2025", "--force", stdout=StringIO())
    assert OrgUnit.objects.count() == before


def test_without_debug_the_command_asks_for_force(province):
    before = OrgUnit.objects.count()
    with pytest.raises(CommandError, match="--force"):
        call_command("synth", "--counties", "1", "--end-year", "2025", stdout=StringIO())
    assert OrgUnit.objects.count() == before


def test_the_command_builds_and_names_the_logins(fixed_day, monkeypatch):
    out = StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(synth, "existing_units", lambda: 0)
        call_command(
            "synth",
            "--counties",
            "1",
            "--projects-per-county",
            "2",
            "--years",
            "1",
            "--end-year",
            "2025",
            "--force",
            stdout=out,
        )
    text = out.getvalue()
    assert "合成省份已生成" in text and "月报 12 份" in text
    assert SYNTH_PASSWORD in text and "synth_township" in text


def test_same_seed_same_province(fixed_day, monkeypatch):
    def built(seed: int) -> list[tuple]:
        with transaction.atomic():
            result = build(monkeypatch, seed=seed)
            found = list(projects(result).order_by("code").values_list("code", "name", "total_investment"))
            found += list(
                units(result).order_by("division_code", "name").values_list("division_code", "name")
            )
            found += list(
                reports(result).order_by("project__code", "year", "month").values_list("amount", "status")
            )
            transaction.set_rollback(True)
        return found

    first = built(7)
    assert built(7) == first
    assert built(8) != first


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"counties": 0}, "--counties 应在 1 到 500 之间，现为 0"),
        ({"years": 11}, "--years 应在 1 到 10 之间，现为 11"),
        ({"end_year": 2026}, "--end-year 应在 2002 到今年（2025）之间，现为 2026"),
    ],
)
def test_arguments_out_of_range_are_refused_in_chinese(fixed_day, monkeypatch, arguments, message):
    before = OrgUnit.objects.count()
    with pytest.raises(SynthError, match=message):
        build(monkeypatch, **arguments)
    assert OrgUnit.objects.count() == before
