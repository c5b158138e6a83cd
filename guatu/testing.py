"""Small `make_*` helpers and the personas every view test checks against. Used by tests only."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from guatu.accounts.models import Role, User
from guatu.lib.periods import Period
from guatu.orgs.models import Leader, OrgUnit, OrgUnitKind
from guatu.orgs.services import leader_create, orgunit_create
from guatu.projects.models import LevelTag, Project
from guatu.projects.services import ProjectInput, annual_plan_set, project_create
from guatu.reports.models import MonthlyReport, ReportStatus
from guatu.reports.services import ReportInput, report_approve, report_create, report_return, report_submit

PASSWORD = "correct-horse-battery"
_serial = itertools.count(1)


def make_unit(name: str, kind: str = OrgUnitKind.TOWNSHIP, parent: OrgUnit | None = None, **kw) -> OrgUnit:
    return orgunit_create(name=name, kind=kind, parent=parent, **kw)


def make_leader(name: str, unit: OrgUnit, post: str = "副市长") -> Leader:
    return leader_create(name=name, post=post, org_unit=unit)


def make_user(username: str, unit: OrgUnit | None, role: str, leader: Leader | None = None, **kw) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, org_unit=unit, role=role, **kw)
    if leader:
        user.leader = leader
        user.save(update_fields=["leader"])
    return user


def make_security_admin(unit: OrgUnit, username: str = "security") -> User:
    """The jurisdiction's security administrator (三员): roles, locks, two-factor devices."""
    return make_user(username, unit, Role.SECURITY_ADMIN)


def make_audit_admin(unit: OrgUnit, username: str = "auditor") -> User:
    """The jurisdiction's audit administrator (三员): reads the audit log, nothing else."""
    return make_user(username, unit, Role.AUDIT_ADMIN)


@dataclass
class OtherCounty:
    """A second county with a township, a leader and two users: what another jurisdiction's admin manages."""

    county: OrgUnit
    town: OrgUnit
    leader: Leader
    admin: User
    reporter: User


def make_other_county() -> OtherCounty:
    county = make_unit("新化县", OrgUnitKind.COUNTY, division_code="431322")
    town = make_unit("琅塘镇", OrgUnitKind.TOWNSHIP, county, short_name="琅塘", aliases=["琅塘镇人民政府"])
    return OtherCounty(
        county=county,
        town=town,
        leader=make_leader("赵明", county),
        admin=make_user("xinhua_admin", county, Role.CITY_ADMIN),
        reporter=make_user("langtang", town, Role.REPORTER),
    )


def make_tag(code: str, name: str, label: str | None = None, order: int = 0) -> LevelTag:
    return LevelTag.objects.get_or_create(
        code=code, defaults={"name": name, "bulletin_label": label or name, "sort_order": order}
    )[0]


def make_project(
    *,
    location: OrgUnit,
    lead: OrgUnit | None = None,
    name: str | None = None,
    tags: list[LevelTag] = (),
    leader: Leader | None = None,
    plan: Decimal | str | None = "1000",
    year: int = 2022,
    stage: str = "continuing",
    **kw,
) -> Project:
    n = next(_serial)
    data = ProjectInput(
        name=name or f"测试项目{n}",
        category=kw.pop("category", "industry"),
        location_unit=location,
        lead_unit=lead or location,
        owner=kw.pop("owner", "测试业主有限公司"),
        start_year=kw.pop("start_year", year - 1),
        end_year=kw.pop("end_year", year + 1),
        total_investment=Decimal(kw.pop("total_investment", "50000")),
        stage=stage,
        tier=kw.pop("tier", "implementation"),
        responsible_leader=leader,
        tags=list(tags),
        **kw,
    )
    project = project_create(data=data)
    if plan is not None:
        annual_plan_set(project=project, year=year, amount=Decimal(plan))
    return project



def bulk_random_figures(rng, *, plans, projects, years, reporter: User) -> None:
    """Random figures written in bulk, past the services, for the tests that hold the sums to the per-project
    figures: every plan of `plans` phased over random months with random amounts (the months need not add up
    to the plan, which annual_plan_set would check), and for each project of `projects` a report in about four
    months out of five of each year, most of them approved. Then both roll-ups are recomputed, as after any
    bulk load (guatu.projects.phasing, guatu.reports.rollups)."""
    from datetime import UTC, datetime

    from guatu.projects.models import PlanMonth
    from guatu.projects.phasing import refresh_phasing
    from guatu.reports.rollups import rebuild_rollups

    for plan in plans:
        PlanMonth.objects.bulk_create(
            PlanMonth(plan=plan, month=m, amount=Decimal(rng.randrange(0, 99_999_999)) / 100)
            for m in rng.sample(range(1, 13), rng.randrange(1, 13))
        )
    refresh_phasing()
    MonthlyReport.objects.bulk_create(
        MonthlyReport(
            project=project,
            year=year,
            month=month,
            amount=Decimal(rng.randrange(0, 999_999_999)) / 100,
            status=rng.choice([ReportStatus.APPROVED] * 3 + [ReportStatus.SUBMITTED, ReportStatus.DRAFT]),
            filled_by=reporter,
            updated_at=datetime(year, 12, 31, tzinfo=UTC),
        )
        for project in projects
        for year in years
        for month in range(1, 13)
        if rng.random() < 0.8
    )
    rebuild_rollups(project.pk for project in projects)

def make_report(
    project: Project,
    period: str,
    amount: Decimal | str,
    *,
    reporter: User,
    reviewer: User | None = None,
    status: str = ReportStatus.APPROVED,
    **fields,
) -> MonthlyReport:
    """A report taken through the real services to `status`."""
    report = report_create(
        project=project,
        period=Period.parse(period),
        data=ReportInput(amount=Decimal(amount), **fields),
        by=reporter,
    )
    if status == ReportStatus.DRAFT:
        return report
    report = report_submit(report=report, expected_version=report.version, by=reporter)
    if status == ReportStatus.SUBMITTED:
        return report
    if status == ReportStatus.RETURNED:
        return report_return(report=report, expected_version=report.version, reason="请补充形象进度", by=reviewer)
    return report_approve(report=report, expected_version=report.version, by=reviewer)


def make_enterprise(unit: OrgUnit, name: str | None = None, *, by: User | None = None, **kw):
    """A firm looked after by `unit`, with a valid unified social credit code made from a serial number."""
    from guatu.enterprises.services import EnterpriseInput, enterprise_create
    from guatu.lib.uscc import with_check_characters

    n = next(_serial)
    actor = by or User.objects.filter(is_superuser=True, org_unit__isnull=True).first() or User.objects.create_superuser(
        username=f"enterprise_maker{n}", password=PASSWORD
    )
    data = EnterpriseInput(
        name=name or f"测试企业{n}有限公司",
        uscc=kw.pop("uscc", None) or with_check_characters("91431381", f"MA{n:06d}"),
        unit=unit,
        **kw,
    )
    return enterprise_create(data=data, by=actor)


@dataclass
class World:
    """A small county with two townships and two departments, one user per role, and an outsider."""

    city: OrgUnit
    town_a: OrgUnit
    town_b: OrgUnit
    dept: OrgUnit
    drc: OrgUnit
    leader: Leader
    other_leader: Leader
    county_tag: LevelTag
    pref_tag: LevelTag
    city_admin: User
    reviewer: User
    reporter: User  # township A
    dept_reporter: User  # housing department
    leader_user: User
    viewer: User
    outsider: User  # reporter of township B
    project_a: Project  # in township A, led by the department, responsible leader = leader
    project_b: Project  # in township B, led by township B, other leader

    @property
    def personas(self) -> dict[str, User]:
        return {
            "city_admin": self.city_admin,
            "reviewer": self.reviewer,
            "reporter": self.reporter,
            "dept_reporter": self.dept_reporter,
            "leader": self.leader_user,
            "viewer": self.viewer,
            "outsider": self.outsider,
        }


def make_world() -> World:
    city = make_unit("冷水江市", OrgUnitKind.COUNTY, division_code="431381")
    town_a = make_unit("禾青镇", OrgUnitKind.TOWNSHIP, city)
    town_b = make_unit("渣渡镇", OrgUnitKind.TOWNSHIP, city)
    dept = make_unit("冷水江市住房和城乡建设局", OrgUnitKind.DEPARTMENT, city, short_name="市住建局")
    drc = make_unit("冷水江市发展和改革局", OrgUnitKind.DEPARTMENT, city, short_name="市发改局")
    leader = make_leader("李建国", city)
    other_leader = make_leader("王志强", city)
    county_tag = make_tag("county", "市本级重点", "市本级重点项目", 3)
    pref_tag = make_tag("prefecture", "娄底市重点", "娄底市重点项目", 2)
    world = World(
        city=city,
        town_a=town_a,
        town_b=town_b,
        dept=dept,
        drc=drc,
        leader=leader,
        other_leader=other_leader,
        county_tag=county_tag,
        pref_tag=pref_tag,
        city_admin=make_user("admin", city, Role.CITY_ADMIN),
        reviewer=make_user("reviewer", drc, Role.REVIEWER),
        reporter=make_user("town_a", town_a, Role.REPORTER),
        dept_reporter=make_user("housing", dept, Role.REPORTER),
        leader_user=make_user("leader", city, Role.LEADER, leader=leader),
        viewer=make_user("viewer", town_a, Role.VIEWER),
        outsider=make_user("town_b", town_b, Role.REPORTER),
        project_a=make_project(
            location=town_a,
            lead=dept,
            name="禾青镇锑品深加工项目",
            tags=[county_tag, pref_tag],
            leader=leader,
        ),
        project_b=make_project(
            location=town_b, name="渣渡镇农贸市场改造项目", tags=[county_tag], leader=other_leader
        ),
    )
    return world


def make_assessment_office(w: World):
    """A small township scheme on the world: tax (efficacy, group), PM2.5 (completion, lower is better,
    target 35) entered by the housing department, and key-project investment (computed, target 25%)."""
    from guatu.assessment.models import Indicator
    from guatu.assessment.services import scheme_save

    Indicator.objects.create(
        code="tax", name="税收收入", category="economy", measure="万元", lead_unit=w.dept
    )
    Indicator.objects.create(
        code="pm25", name="PM2.5", category="environment", direction="lower", lead_unit=w.dept
    )
    Indicator.objects.create(
        code="invest",
        name="重点项目投资完成率",
        category="economy",
        source="computed",
        computed_key="project_investment_rate",
    )
    return scheme_save(
        jurisdiction=w.city,
        kind="township",
        by=w.reviewer,
        definition={
            "code": "t2022",
            "name": "2022年乡镇绩效考核",
            "year": 2022,
            "groups": [{"code": "township", "name": "乡镇", "units": ["禾青镇", "渣渡镇"]}],
            "indicators": [
                {"code": "tax", "weight": 40, "method": "efficacy"},
                {
                    "code": "pm25",
                    "weight": 20,
                    "method": "completion_rate",
                    "direction": "lower",
                    "target": 35,
                },
                {"code": "invest", "weight": 40, "method": "completion_rate", "target": 25, "cap": 1.2},
            ],
            "grades": [
                {"name": "优秀", "min": 90, "quota": 0.5},
                {"name": "良好", "min": 70},
                {"name": "一般"},
            ],
            "bonus_cap": 3,
        },
    )


_EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)
_CDN_HOST = re.compile(r"jsdelivr|unpkg|cdnjs|googleapis|bootcdn|staticfile\.org|\bcdn\.", re.IGNORECASE)


def assert_no_external_assets(html: str) -> None:
    """Every script, style and image of a page comes from this site (government intranets have no internet):
    no absolute or protocol-relative URL, no CDN host. Words are looked for, not letters: a random CSRF
    token may well spell "cdn"."""
    assert not _EXTERNAL_URL.search(html), _EXTERNAL_URL.search(html)
    assert not _CDN_HOST.search(html), _CDN_HOST.search(html)


# --- the world, built once and restored ------------------------------------------------------------------


@dataclass
class _WorldRows:
    rows: list[tuple[type, list[dict]]]  # every row make_world wrote, per model (auto-created M2M tables too)
    ids: dict[str, int]  # World field → primary key


_WORLD_SNAPSHOTS: dict[tuple, _WorldRows] = {}


def _models():
    from django.apps import apps

    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy and m._meta.managed]


def max_ids() -> dict[type, int]:
    from django.db.models import Max

    found = {}
    for model in _models():
        pk = model._meta.pk
        if pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
            found[model] = model.objects.aggregate(top=Max("pk"))["top"] or 0
    return found


def restore_world() -> World:
    """make_world(), or the rows it wrote earlier in this worker put back as they were (same keys, same audit
    events). Keyed by database and calendar day (the clock may be fixed by a test). Falls back to building
    when a kept row's key is taken (data another fixture committed meanwhile)."""
    from django.db import IntegrityError, connection, transaction

    from guatu import clock

    key = (connection.vendor, connection.settings_dict["NAME"], clock.today())
    snapshot = _WORLD_SNAPSHOTS.get(key)
    if snapshot is None:
        before = max_ids()
        world = make_world()
        rows = []
        for model, top in before.items():
            names = [f.attname for f in model._meta.concrete_fields]
            found = list(model.objects.filter(pk__gt=top).order_by("pk").values(*names))
            if found:
                rows.append((model, found))
        ids = {name: getattr(world, name).pk for name in World.__dataclass_fields__}
        _WORLD_SNAPSHOTS[key] = _WorldRows(rows=rows, ids=ids)
        return world
    try:
        with transaction.atomic():
            for model, found in snapshot.rows:
                model.objects.bulk_create([model(**row) for row in found])
    except IntegrityError:
        return make_world()
    models = {"OrgUnit": OrgUnit, "Leader": Leader, "LevelTag": LevelTag, "User": User, "Project": Project}
    kinds = {name: models[str(field.type)] for name, field in World.__dataclass_fields__.items()}
    loaded = {
        model: model.objects.in_bulk([snapshot.ids[name] for name, kind in kinds.items() if kind is model])
        for model in set(kinds.values())
    }
    # As make_world leaves them: each object's foreign keys to other world objects already loaded.
    for objects in loaded.values():
        for obj in objects.values():
            for field in obj._meta.concrete_fields:
                target = loaded.get(field.related_model, {}).get(getattr(obj, field.attname)) if field.is_relation else None
                if target is not None:
                    setattr(obj, field.name, target)
    return World(**{name: loaded[kind][snapshot.ids[name]] for name, kind in kinds.items()})
