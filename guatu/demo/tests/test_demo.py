"""`guatu demo`: the county it loads, the seed's figures, idempotence, --reset, the audit trail, the users.

The demo is loaded once for the package (conftest.py); each test runs in a transaction that is rolled back,
so tests that reload or delete leave the loaded demo as it was.
"""

import json
import re
from datetime import date, datetime, time
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Count, DateTimeField, Max, Q, Sum
from django.utils import timezone

from guatu import clock
from guatu.access import gateway
from guatu.accounts import signin
from guatu.accounts.models import Role, User
from guatu.assessment.models import (
    Appeal,
    AssessmentItem,
    ChecklistRow,
    HeadlineIndicator,
    HeadlineValue,
    Indicator,
    IndicatorValue,
    PeerValue,
    ResultSnapshot,
    Scheme,
)
from guatu.audit.models import AuditEvent
from guatu.audit.queries import history_of, history_of_project, replay
from guatu.audit.services import snapshot
from guatu.demo import data
from guatu.demo.loader import delete_demo
from guatu.demo.testing import run_demo as _run
from guatu.dispatch.models import Escalation, Meeting, Problem, ProblemFeedback, SupervisionOrder
from guatu.dispatch.queries import mark_overdue
from guatu.dispatch.services import DUE_SOON_DAYS
from guatu.investment.queries import investment_summary
from guatu.lib.periods import Period
from guatu.lights.models import ProjectLight, RuleSetting
from guatu.notifications.models import Notification
from guatu.orgs.models import Leader, OrgUnit, OrgUnitKind
from guatu.orgs.services import find_unit_by_name, orgunit_create
from guatu.projects.models import AnnualPlan, IndustryChain, LevelTag, Milestone, PlanMonth, Project, Tier
from guatu.projects.services import PROJECT_CODE
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.reports.services import AUDITED_FIELDS, ReportInput, report_create, report_update

pytestmark = pytest.mark.django_db

PV = "娄底市生态治理光伏项目"
MODELS = [
    OrgUnit,
    Leader,
    LevelTag,
    IndustryChain,
    Project,
    AnnualPlan,
    PlanMonth,
    MonthlyReport,
    User,
    AuditEvent,
    # warning lights and dispatch
    RuleSetting,
    ProjectLight,
    Problem,
    ProblemFeedback,
    Escalation,
    SupervisionOrder,
    Meeting,
    Notification,
    # assessment
    Indicator,
    Scheme,
    IndicatorValue,
    AssessmentItem,
    ResultSnapshot,
    Appeal,
    ChecklistRow,
    PeerValue,
    HeadlineIndicator,
    HeadlineValue,
]


def _counts(exclude=()) -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS if model not in exclude}


def _listed(tag: str):
    """Projects that count on a list in 2022: carrying the tag, with a 2022 plan, not cancelled."""
    return Project.objects.counted().filter(tags__code=tag, plans__year=data.YEAR)


# ---- what is loaded


def test_the_county_and_its_units(root):
    assert (root.kind, root.division_code, root.parent_id) == (OrgUnitKind.COUNTY, "431381", None)
    children = {unit.name: unit.kind for unit in root.children.exclude(kind=OrgUnitKind.DEPARTMENT)}
    assert children == {name: kind for name, kind, _short, _aliases in data.AREAS}
    assert list(children.values()).count("street") == 4 and children["中连乡"] == "township"
    assert children["冷水江经济开发区"] == "zone"
    departments = root.children.filter(kind=OrgUnitKind.DEPARTMENT)
    assert departments.count() >= 20
    assert all(d.short_name and d.aliases for d in departments)
    drc = OrgUnit.objects.get(name="冷水江市发展和改革局")
    assert drc.short_name == "市发改局"
    assert find_unit_by_name("市发改局") == find_unit_by_name("发改局") == drc


def test_leaders_tags_and_chains(root):
    principal = Leader.objects.filter(org_unit=root, is_principal=True)
    assert sorted(principal.values_list("post", flat=True)) == ["市委书记", "市委副书记、市长"]
    assert Leader.objects.filter(org_unit=root, post__contains="副市长").count() >= 3
    tags = {t.code: (t.name, t.bulletin_label, t.sort_order, t.in_bulletin) for t in LevelTag.objects.all()}
    assert tags == {
        "province": ("省重点", "省重点项目", 1, True),
        "prefecture": ("娄底市重点", "娄底市重点项目", 2, True),
        "county": ("市本级重点", "市本级重点项目", 3, True),
        "major": ("重大项目", "重大项目", 4, False),
    }
    chains = IndustryChain.objects.select_related("chief", "lead_unit")
    assert chains.count() == 7
    assert all(c.chief and c.lead_unit and c.lead_unit.is_within(root) for c in chains)
    assert Project.objects.filter(chain__name="锑产业链").count() > 5


def test_the_three_lists_nest(root):
    county, prefecture, province = _listed("county"), _listed("prefecture"), _listed("province")
    assert (county.count(), prefecture.count(), province.count()) == (177, 33, 1)
    assert list(province.values_list("name", flat=True)) == [PV]
    assert set(prefecture.values_list("pk", flat=True)) <= set(county.values_list("pk", flat=True))
    assert county.filter(name=PV).exists() and prefecture.filter(name=PV).exists()
    assert set(county.values_list("tier", flat=True)) == {Tier.IMPLEMENTATION}


def test_projects_are_complete(root):
    projects = _listed("county").annotate(
        supports=Count("support_links", distinct=True),
        members=Count("task_force", distinct=True),
        steps=Count("milestones", distinct=True),
    )
    for project in projects:
        assert PROJECT_CODE.match(project.code) and "-431381-" in project.code
        assert project.responsible_leader_id and project.owner and project.scope
        assert project.supports >= 1 and project.members >= 3 and project.steps >= 7
    overdue = Project.objects.filter(milestones__actual_date=None, milestones__planned_date__lt="2022-04-01")
    assert overdue.distinct().count() >= 5
    assert Project.objects.filter(milestones__document_no__startswith="冷发改").exists()


def test_projects_that_must_not_count_are_there(root):
    cancelled = Project.objects.filter(stage="cancelled", tags__code="county", plans__year=data.YEAR)
    assert cancelled.count() in (2, 3)
    assert (
        MonthlyReport.objects.filter(project__in=cancelled, status=ReportStatus.APPROVED).count()
        == 3 * cancelled.count()
    )
    reserve = Project.objects.filter(tier__in=[Tier.RESERVE, Tier.ROLLING])
    assert (
        reserve.count() >= 4 and not AnnualPlan.objects.filter(project__in=reserve, year=data.YEAR).exists()
    )
    assert reserve.filter(tags__code="county").exists()


def test_phased_plans_add_up(root):
    phased = (
        AnnualPlan.objects.filter(year=data.YEAR).annotate(phased=Sum("months__amount")).exclude(phased=None)
    )
    assert phased.count() > 20
    assert all(plan.phased == plan.amount for plan in phased)


def test_reports_approved_to_march_then_april_drafts(root):
    """On the demo's day April is not over and its reports are not due: drafts, and one sent back."""
    county = _listed("county")
    first_quarter = MonthlyReport.objects.filter(project__in=county, month__lte=3)
    assert first_quarter.count() == 3 * 177
    assert set(first_quarter.values_list("status", flat=True)) == {ReportStatus.APPROVED}
    later = MonthlyReport.objects.filter(month__gt=3)
    statuses = {row["status"]: row["n"] for row in later.values("status").annotate(n=Count("id"))}
    assert (
        set(statuses) == {ReportStatus.DRAFT, ReportStatus.RETURNED} and statuses[ReportStatus.RETURNED] == 1
    )
    returned = later.get(status=ReportStatus.RETURNED)
    assert returned.return_reason and returned.submitted_at < returned.reviewed_at
    assert set(later.values_list("month", flat=True)) == {4}


# ---- the demo's day


def _end_of_demo_day():
    return timezone.make_aware(datetime.combine(data.DEMO_DAY, time.max))


def test_nothing_is_dated_after_the_demo_day(root, settings):
    """Every moment a demo row records (reports submitted and approved, problems raised, escalated and closed,
    orders issued, notifications, audit events, values, lights, results published, accounts) is on or before
    the demo's day, and so are the meetings held and the milestones done."""
    settings.GUATU_TODAY = data.DEMO_DAY
    late = {}
    for model in apps.get_models():
        if not model.__module__.startswith("guatu."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, DateTimeField):
                latest = model.objects.aggregate(latest=Max(field.name))["latest"]
                if latest and latest > _end_of_demo_day():
                    late[f"{model.__name__}.{field.name}"] = latest
    assert late == {}
    assert Meeting.objects.aggregate(latest=Max("date"))["latest"] <= data.DEMO_DAY
    assert Milestone.objects.aggregate(latest=Max("actual_date"))["latest"] <= data.DEMO_DAY
    # The rows that tell the story are all there to be checked.
    for model, field in [
        (MonthlyReport, "reviewed_at"),
        (Problem, "closed_at"),
        (Escalation, "at"),
        (SupervisionOrder, "issued_at"),
        (Notification, "created_at"),
        (AuditEvent, "at"),
        (IndicatorValue, "reviewed_at"),
        (ResultSnapshot, "published_at"),
    ]:
        assert model.objects.exclude(**{field: None}).exists(), (model, field)


def test_read_on_the_demo_day_nothing_is_absurdly_overdue(root, settings):
    """Read as on its day, the demo shows work due soon and a little overdue, never years overdue."""
    settings.GUATU_TODAY = data.DEMO_DAY
    today = clock.today()
    open_problems = Problem.objects.open().exclude(deadline=None)
    delays = [(today - p.deadline).days for p in open_problems]
    assert max(delays) <= 60
    assert any(delay > 0 for delay in delays)  # one is overdue
    assert any(-DUE_SOON_DAYS <= delay <= 0 for delay in delays)  # and some are due in the next days
    orders = mark_overdue(SupervisionOrder.objects.all(), today)
    assert all(0 <= order.days_overdue <= 60 for order in orders)


@pytest.mark.parametrize("target", ["run", "demo"])
def test_make_run_and_make_demo_read_the_demo_on_its_day(target):
    makefile = (Path(__file__).resolve().parents[3] / "Makefile").read_text(encoding="utf-8")
    found = re.findall(rf"^{target}: export GUATU_TODAY \??= (\S+)$", makefile, re.MULTILINE)
    assert found == [data.DEMO_DAY.isoformat()]


# ---- the seed's figures


def test_briefing_prints_the_seed_sentence(root):
    out = StringIO()
    call_command("briefing", "--period", "2022-03", stdout=out)
    assert out.getvalue().strip() == data.EXPECTED_SENTENCE


def test_briefing_json_has_the_seed_figures(root):
    out = StringIO()
    call_command("briefing", "--period", "2022-03", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["sentence"] == data.EXPECTED_SENTENCE
    lists = {row["tag"]: row for row in result["lists"]}
    assert list(lists) == ["province", "prefecture", "county"]  # the major list is not in the bulletin
    for code, target in data.TARGETS.items():
        row = lists[code]
        assert row["projects"] == target["projects"]
        assert Decimal(row["ytd_completed_wan"]) == target["ytd"]
        assert Decimal(row["annual_plan_wan"]) == target["plan"]
    assert lists["province"]["project_name"] == PV
    assert [lists[c]["completion_rate_percent"] for c in lists] == ["20", "17.36", "15.1"]
    assert [lists[c]["ytd_completed_yi"] for c in lists] == ["4.7", "8.3", "15.3"]


def test_summary_agrees(root):
    summary = investment_summary(Project.objects.in_unit(root), Period(2022, 3))
    for code, target in data.TARGETS.items():
        row = summary.row(code)
        assert (row.project_count, row.ytd_completed, row.annual_plan) == (
            target["projects"],
            target["ytd"],
            target["plan"],
        )
    assert summary.row("province").planned_progress == Decimal("0.2")  # its plan is phased: 47000 of 235000
    assert summary.row("major").project_count >= 1
    # April is still in review: January to April counts the same approved figures.
    april = investment_summary(Project.objects.in_unit(root), Period(2022, 4))
    assert april.row("county").ytd_completed == data.TARGETS["county"]["ytd"]


# ---- the audit trail


def test_every_report_replays_from_its_audit_trail(root):
    samples = [
        MonthlyReport.objects.filter(status=ReportStatus.APPROVED).order_by("pk").first(),
        MonthlyReport.objects.get(status=ReportStatus.RETURNED),
        MonthlyReport.objects.filter(status=ReportStatus.DRAFT).order_by("-pk").first(),
        MonthlyReport.objects.get(project__name=PV, month=3),
    ]
    for report in samples:
        events = list(history_of(report))
        assert [e.action for e in events] == ["report.import"]
        assert events[0].actor.username == data.LOADER_USERNAME and events[0].project_id == report.project_id
        assert replay(events) == snapshot(report, AUDITED_FIELDS)
    # One import event per report, no more, no fewer.
    assert AuditEvent.objects.filter(action="report.import").count() == MonthlyReport.objects.count()


def test_projects_and_plans_are_audited(root):
    pv = Project.objects.get(name=PV)
    actions = [e.action for e in history_of_project(pv) if e.object_type in ("project", "annualplan")]
    assert actions == ["project.create", "plan.set"]
    loader = User.objects.get(username=data.LOADER_USERNAME)
    assert not loader.is_active and not loader.has_usable_password()
    assert AuditEvent.objects.filter(action="project.create").count() == Project.objects.count()


# ---- running it again


def test_second_run_changes_nothing(root):
    before, last_event = _counts(), AuditEvent.objects.latest("id").pk
    output = _run()
    assert "already there" in output
    assert _counts() == before
    assert AuditEvent.objects.latest("id").pk == last_event


def test_delete_leaves_nothing_behind(root):
    delete_demo()
    assert {name: n for name, n in _counts().items() if n} == {}


def test_a_county_the_demo_did_not_create_is_left_alone(root):
    delete_demo()
    real = orgunit_create(name="冷水江市", kind=OrgUnitKind.COUNTY, division_code="431381")
    for args in ((), ("--reset",)):
        with pytest.raises(CommandError, match="not created by the demo"):
            _run(*args)
    assert OrgUnit.objects.filter(pk=real.pk).exists() and not Project.objects.exists()


# ---- the users


def test_users_refused_without_debug_unless_forced(root, demo_output, settings):
    assert "Demo users were not created: DEBUG is off" in demo_output
    assert not User.objects.filter(username__in=[u.username for u in data.USERS]).exists()
    # The demo's staff act through the services, but nobody can log in as them.
    staff = User.objects.filter(username__in=[u.username for u in data.STAFF])
    assert staff.count() == len(data.STAFF) and all(
        u.is_active and not u.has_usable_password() for u in staff
    )
    settings.DEBUG = False
    assert "were not created" in _run()
    output = _run("--force")
    assert "Created 8 demo users." in output and data.DEMO_PASSWORD in output
    users = {u.username: u for u in User.objects.filter(username__in=[u.username for u in data.USERS])}
    assert {u.role for u in users.values()} == set(Role.values)
    assert all(u.check_password(data.DEMO_PASSWORD) and u.is_active for u in users.values())
    # Made "on" the demo's setup day, their passwords are new on the real clock: no change asked at sign-in.
    assert not any(signin.must_change_password(u) for u in users.values())
    assert "already there" in _run("--force")


def test_users_created_when_debug_is_on(root, settings):
    settings.DEBUG = True
    output = _run()
    assert "Created 8 demo users." in output
    for login in data.USERS:
        assert re.search(rf"^  {login.username}\s", output, re.MULTILINE)


@pytest.fixture
def users(root, settings):
    settings.DEBUG = True
    _run()
    return {u.username: u for u in User.objects.select_related("org_unit", "leader")}


def test_each_persona_sees_what_the_role_allows(users):
    assert users["demo_admin"].org_unit.name == "冷水江市"
    assert gateway.visible_projects(users["demo_admin"]).count() == Project.objects.count()
    assert gateway.visible_projects(users["demo_reviewer"]).count() == Project.objects.count()
    assert users["demo_reviewer"].org_unit.short_name == "市发改局"
    leader = users["demo_leader"]
    assert leader.leader.name == "黄志刚" and "副市长" in leader.leader.post
    assert gateway.visible_projects(leader).count() >= 10
    housing = gateway.visible_projects(users["demo_zhujian"])
    assert housing.count() >= 5
    assert MonthlyReport.objects.filter(project__in=housing, status=ReportStatus.RETURNED).exists()


def test_township_reporter_can_fill_in_reports(users):
    reporter = users["demo_heqing"]
    mine = gateway.visible_projects(reporter).counted()
    assert mine.count() >= 5 and all(
        p.location_unit.name == "禾青镇" or p.lead_unit.name == "禾青镇" for p in mine
    )
    drafts = MonthlyReport.objects.filter(project__in=mine, year=2022, month=4, status=ReportStatus.DRAFT)
    assert drafts.count() >= 2
    draft = drafts.first()
    report_update(
        report=draft, data=ReportInput(amount=Decimal("321.50")), expected_version=draft.version, by=reporter
    )
    empty = mine.exclude(Q(reports__year=2022, reports__month=4)).first()
    assert empty is not None
    report = report_create(
        project=empty, period=Period(2022, 4), data=ReportInput(amount=Decimal("88")), by=reporter
    )
    assert report.status == ReportStatus.DRAFT
    report_create(
        project=empty, period=Period(2022, 6), data=ReportInput(amount=Decimal("12.30")), by=reporter
    )


def test_reset_deletes_everything_and_reloads(users):
    """Also what people did with the demo (a problem raised, a supervision order issued): that is demo data too."""
    from guatu.demo.dates import moment
    from guatu.dispatch.services import problem_raise, supervision_issue

    before = _counts(exclude=[Notification])
    old_ids = set(Project.objects.values_list("pk", flat=True))
    reviewer, pv = users["demo_reviewer"], Project.objects.get(name=PV)
    problem = problem_raise(description="升压站用地报批滞后", category="land", by=reviewer, project=pv)
    order = supervision_issue(
        project=pv,
        addressee=pv.lead_unit,
        requirement="书面说明用地报批进度",
        deadline=date(2022, 5, 20),
        by=reviewer,
        problem=problem,
        at=moment(data.DEMO_DAY),  # issued on the demo's day: its deadline is ahead
    )
    output = _run("--reset")
    # the 188 tracked projects, the leads converted into projects and the reserve (demo/reserve.py)
    assert f"Deleted the demo data: {len(old_ids)} projects" in output and "Loaded the demo data" in output
    assert "Created 8 demo users." in output  # DEBUG is on here
    assert not Problem.objects.filter(pk=problem.pk).exists()
    assert not SupervisionOrder.objects.filter(pk=order.pk).exists()
    assert _counts(exclude=[Notification]) == before
    assert not old_ids & set(Project.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("briefing", "--period", "2022-03", stdout=out)
    assert out.getvalue().strip() == data.EXPECTED_SENTENCE
    # Loaded with the data, the demo logins got the story's notifications: the housing department's reporter
    # its assignment and the overdue notice, the leader the escalation to him.
    kinds = {
        (n.user.username, n.kind)
        for n in Notification.objects.filter(user__username__in=["demo_zhujian", "demo_leader"])
    }
    assert {("demo_zhujian", "assigned"), ("demo_zhujian", "overdue"), ("demo_leader", "escalated")} <= kinds


def test_the_loaded_demos_audit_chain_verifies(root):
    """However the demo came to be loaded for these tests (through the services, or put back by
    guatu.demo.testing after an earlier load), its audit trail is a whole, verifiable chain."""
    from guatu.audit import chain

    result = chain.verify()
    assert result.broken_seal is None and not result.why and result.checked > 1000
