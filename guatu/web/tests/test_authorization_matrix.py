"""The authorisation matrix (issue 11, acceptance 2): for every URL pattern and API operation, each persona
gets the expected answer; township A's reporter asking for any object of township B gets 404 and an audit row;
the files township A's reporter takes away hold no row of township B.

The table is `guatu/web/tests/matrix.py`; its docstring says how to read a row and how to add one. Here:

- `test_every_url_pattern_has_a_row`, `test_every_api_operation_has_a_row`: a new URL or API operation cannot
  be added without a row deciding who may open it;
- `test_row[...]`, one per row, on one world:
  1. a GET as every persona, each answer as the row says; township A's reporter reads no name of township B on
     any page they may open (unless the row says why the page is county-wide); every refusal of a signed-in
     persona is an `access.denied` audit row; no GET changes anything;
  2. for a page or action that changes something, a POST (with what its form would send) by every persona who
     may not: refused, nothing changed, each refusal audited;
  3. for a URL that names an object, township A's reporter asks for township B's (another county's, for a
     county-wide object): 404 and an `access.denied` row naming them and the path;
  4. for a file (a list's Excel export, a meeting paper), township A's reporter's copy names A's rows and none
     of B's, B's being in the database.

The objects a row names are made on first use by the `Scene` (through the services, but for a few rows that
only stand there to be read), so a row costs what its URL needs and no more; personas are signed in with a
session made directly (`Visitors`). On SQLite the file takes some 40-50 s of worker time, nearly all of it the
pages themselves: some 550 rendered for 200, 1,300 refusals rendered as the site's 403 or 404 page, the battle
map's three rows 4 s.
"""

import datetime
import io
import json
import logging
import re
from decimal import Decimal
from functools import cached_property

import docx
import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from guatu import clock
from guatu.accounts.receivers import SESSION_SEEN, SESSION_STARTED
from guatu.api import api
from guatu.assessment.models import ChecklistRow, Indicator, IndicatorValue, ValueStatus
from guatu.assessment.services import (
    appeal_raise,
    evidence_add,
    scheme_save,
    snapshot_compute,
    snapshot_publish,
    value_approve,
    value_save,
    value_submit,
)
from guatu.attraction.tests.helpers import make_lead
from guatu.audit.models import AuditEvent
from guatu.audit.queries import business_events
from guatu.chains.models import ChainTarget
from guatu.chains.services import member_add, policy_add, progress_add, target_add
from guatu.dispatch.services import (
    decision_add,
    meeting_create,
    problem_assign,
    problem_feedback,
    problem_raise,
    supervision_issue,
)
from guatu.jobs.models import Job, JobStatus
from guatu.lib.periods import Period
from guatu.lights.services import lights_compute
from guatu.notifications.models import Notification
from guatu.notifications.services import notify
from guatu.projects.models import ChainKind
from guatu.projects.schedule import milestone_add
from guatu.projects.services import chain_create
from guatu.reports.models import ReportStatus
from guatu.reserve.services import funding_application_create
from guatu.testing import (
    make_assessment_office,
    make_audit_admin,
    make_enterprise,
    make_other_county,
    make_project,
    make_report,
    make_security_admin,
    make_tag,
)
from guatu.web.tests.matrix import (
    ANONYMOUS,
    FORBIDDEN,
    HIDDEN,
    LOGIN,
    OK,
    OVERSIGHT,
    PERSONAS,
    POST_ONLY,
    REPORTER,
    ROWS,
    TOWNSHIP_B,
    UNAUTHORIZED,
    Moved,
    P,
    Row,
)

pytestmark = [pytest.mark.django_db, pytest.mark.matrix]

MARCH, APRIL, MAY, JUNE = Period.parse(P), Period(2022, 4), Period(2022, 5), Period(2022, 6)


class Scene:
    """The objects the rows' URLs name, made on first use: township A's (`…_a`), township B's (`…_b`), another
    county's (`…_x`, `other`); the world's own (`project_a`, `town_b`, `reviewer`...) by their names."""

    def __init__(self, world):
        self.w = world

    def __getattr__(self, name):
        # Only the world's fields: a cached_property below that raises AttributeError would otherwise be
        # reported as a missing attribute of the world.
        if name in type(self.w).__dataclass_fields__:
            return getattr(self.w, name)
        raise AttributeError(f"the scene has no {name!r}")

    @staticmethod
    def upload(name="证明.txt", content=b"proof"):
        return SimpleUploadedFile(name, content)

    # --- the oversight administrators (三员) of the county, another county -----------------------------------

    @cached_property
    def security_admin(self):
        return make_security_admin(self.w.city)

    @cached_property
    def audit_admin(self):
        return make_audit_admin(self.w.city)

    @cached_property
    def other(self):
        return make_other_county()

    # --- projects and reports ------------------------------------------------------------------------------

    @cached_property
    def report_a(self):
        return make_report(
            self.w.project_a, P, "100", reporter=self.w.reporter, status=ReportStatus.SUBMITTED
        )

    @cached_property
    def report_b(self):
        return make_report(self.w.project_b, P, "80", reporter=self.w.outsider, status=ReportStatus.SUBMITTED)

    @cached_property
    def approved_report_a(self):
        """February's report of project A, approved: locked, reopened only by a role above the reviewer's."""
        return make_report(
            self.w.project_a, "2022-02", "90", reporter=self.w.reporter, reviewer=self.w.reviewer
        )

    @cached_property
    def approved_report_b(self):
        return make_report(
            self.w.project_b, "2022-02", "70", reporter=self.w.outsider, reviewer=self.w.reviewer
        )

    def _milestone(self, project):
        return milestone_add(
            project=project,
            kind="land",
            name="用地预审",
            planned_date=datetime.date(2022, 5, 1),
            attachment=self.upload("用地预审.pdf", b"%PDF-1.4 proof"),
            by=self.w.reviewer,
        )

    @cached_property
    def milestone_a(self):
        return self._milestone(self.w.project_a)

    @cached_property
    def milestone_b(self):
        return self._milestone(self.w.project_b)

    @cached_property
    def tag_x(self):
        """A level tag only another county's project carries: not this county's administrator's to change."""
        tag = make_tag("xinhua", "新化县重点")
        make_project(location=self.other.town, name="琅塘镇项目", tags=[tag])
        return tag

    @cached_property
    def lights(self):
        """The county's lights of the month, computed as the office does."""
        return lights_compute(unit=self.w.city, period=MARCH)

    # --- dispatch ------------------------------------------------------------------------------------------

    def _problem(self, project, reporter, unit):
        """A problem of the township's project, assigned to the township, with feedback and an attachment."""
        problem = problem_raise(project=project, description="征地拆迁未完成", category="land", by=reporter)
        problem = problem_assign(
            problem=problem,
            unit=unit,
            deadline=clock.today() + datetime.timedelta(days=10),
            by=self.w.reviewer,
            expected_version=problem.version,
        )
        problem_feedback(
            problem=problem,
            text="正在协调",
            attachment=self.upload("协调记录.txt"),
            by=reporter,
            expected_version=problem.version,
        )
        problem.refresh_from_db()
        return problem

    @cached_property
    def problem_a(self):
        return self._problem(self.w.project_a, self.w.reporter, self.w.town_a)

    @cached_property
    def problem_b(self):
        return self._problem(self.w.project_b, self.w.outsider, self.w.town_b)

    @cached_property
    def feedback_a(self):
        return self.problem_a.feedback.get()

    @cached_property
    def feedback_b(self):
        return self.problem_b.feedback.get()

    def _order(self, project, unit):
        return supervision_issue(
            project=project,
            addressee=unit,
            requirement="书面说明征地进展",
            deadline=clock.today() + datetime.timedelta(days=5),
            by=self.w.reviewer,
        )

    @cached_property
    def order_a(self):
        return self._order(self.w.project_a, self.w.town_a)

    @cached_property
    def order_b(self):
        return self._order(self.w.project_b, self.w.town_b)

    def _meeting(self, unit, leader, title):
        """A township's on-site meeting, held today, with one decided item for the township."""
        meeting = meeting_create(
            tier=1,
            date=clock.today(),
            title=title,
            convenor_unit=unit,
            attendee_units=[unit],
            attendees=[leader],
            by=self.w.reviewer,
        )
        decision_add(
            meeting=meeting,
            text="三日内完成征地",
            responsible_unit=unit,
            deadline=clock.today() + datetime.timedelta(days=3),
            by=self.w.reviewer,
        )
        return meeting

    @cached_property
    def meeting_a(self):
        return self._meeting(self.w.town_a, self.w.leader, "禾青镇现场调度会")

    @cached_property
    def meeting_b(self):
        return self._meeting(self.w.town_b, self.w.other_leader, "渣渡镇现场调度会")

    @cached_property
    def decision_a(self):
        return self.meeting_a.decisions.get()

    @cached_property
    def decision_b(self):
        return self.meeting_b.decisions.get()

    # --- each user's own: notifications, files -------------------------------------------------------------

    @staticmethod
    def _notification(user):
        notify(users=[user], kind="problem", title="新的交办", dedupe_key="matrix")
        return Notification.objects.get(user=user, dedupe_key="matrix")

    @cached_property
    def notification_a(self):
        return self._notification(self.w.reporter)

    @cached_property
    def notification_b(self):
        return self._notification(self.w.outsider)

    @staticmethod
    def _job(user, unit):
        """A finished bulletin of the unit, asked for by `user` (written as the worker leaves it)."""
        job = Job.objects.create(
            kind="bulletin",
            unit=unit,
            requested_by=user,
            language=settings.LANGUAGE_CODE,
            created_at=clock.now(),
            filename="进度通报.docx",
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        job.file.save("bulletin.docx", ContentFile(b"PK bulletin"), save=False)
        job.status, job.progress, job.size = JobStatus.DONE, 100, job.file.size
        job.save()
        return job

    @cached_property
    def job_a(self):
        return self._job(self.w.reviewer, self.w.town_a)

    @cached_property
    def job_b(self):
        return self._job(self.w.outsider, self.w.town_b)

    # --- enterprises, chains, leads, funding applications --------------------------------------------------

    @cached_property
    def enterprise_a(self):
        return make_enterprise(self.w.town_a, "禾青锑业有限公司")

    @cached_property
    def enterprise_b(self):
        return make_enterprise(self.w.town_b, "渣渡煤业有限公司")

    @staticmethod
    def _chain(jurisdiction, chief, lead_unit, by):
        """A chain with one of each part: work-team member, yearly target, policy, follow-through entry."""
        chain = chain_create(
            jurisdiction=jurisdiction, name="锑产业链", kind=ChainKind.MAIN, chief=chief, lead_unit=lead_unit
        )
        member_add(chain=chain, name="张三", unit=lead_unit, by=by)
        target_add(chain=chain, year=2022, metric="output", target=Decimal("100"), by=by)
        policy_add(chain=chain, title="扶持政策", by=by)
        progress_add(
            chain=chain, happened_on=datetime.date(2022, 3, 1), content="走访企业", done_by="张三", by=by
        )
        return chain

    @cached_property
    def chain_a(self):
        return self._chain(self.w.city, self.w.leader, self.w.drc, self.w.reviewer)

    @cached_property
    def chain_x(self):
        return self._chain(self.other.county, self.other.leader, self.other.town, self.other.admin)

    @staticmethod
    def part(chain):
        """The chain's yearly target: every kind of part goes through the same gateway call."""
        return ChainTarget.objects.get(chain=chain)

    @cached_property
    def lead_a(self):
        return make_lead(self.w.town_a, name="禾青镇锑新材料项目")

    @cached_property
    def lead_b(self):
        return make_lead(self.w.town_b, name="渣渡镇锑新材料项目")

    def _application(self, project):
        return funding_application_create(
            project=project,
            kind="special_bonds",
            year=2022,
            amount_requested=Decimal("500"),
            by=self.w.reviewer,
        )

    @cached_property
    def application_a(self):
        return self._application(self.w.project_a)

    @cached_property
    def application_b(self):
        return self._application(self.w.project_b)

    # --- assessment ----------------------------------------------------------------------------------------

    @cached_property
    def scheme(self):
        """The county's township scheme: tax and PM2.5 entered by the housing department, investment
        computed."""
        return make_assessment_office(self.w)

    @cached_property
    def indicator(self):
        """The scheme's tax indicator, led by the housing department."""
        return Indicator.objects.get(code=self.scheme.definition["indicators"][0]["code"])

    def _value(self, unit):
        """April's tax value of the township, submitted by the lead unit, with its evidence."""
        value = value_save(
            unit=unit,
            indicator=self.indicator,
            period=APRIL,
            value=Decimal("1200"),
            by=self.w.dept_reporter,
            expected_version=None,
        )
        evidence_add(value=value, file=self.upload(), by=self.w.dept_reporter)
        return value_submit(value=value, expected_version=value.version, by=self.w.dept_reporter)

    @cached_property
    def value_a(self):
        return self._value(self.w.town_a)

    @cached_property
    def value_b(self):
        return self._value(self.w.town_b)

    def _approved_value(self, unit):
        """May's tax value of the township, approved: locked, reopened only by a role above the reviewer's."""
        value = value_save(
            unit=unit,
            indicator=self.indicator,
            period=MAY,
            value=Decimal("1300"),
            by=self.w.dept_reporter,
            expected_version=None,
        )
        value = value_submit(value=value, expected_version=value.version, by=self.w.dept_reporter)
        return value_approve(value=value, expected_version=value.version, by=self.w.reviewer)

    @cached_property
    def approved_value_a(self):
        return self._approved_value(self.w.town_a)

    @cached_property
    def approved_value_b(self):
        return self._approved_value(self.w.town_b)

    @cached_property
    def evidence_a(self):
        return self.value_a.evidence.get()

    @cached_property
    def evidence_b(self):
        return self.value_b.evidence.get()

    def _approved_inputs(self, period):
        """The scheme's entered values of the month, approved, for both townships: written as rows (the value
        workflow is its own tests' business; a computation reads approved values only)."""
        now = clock.now()
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                unit=unit,
                indicator=indicator,
                year=period.year,
                month=period.month,
                value=Decimal("40"),
                status=ValueStatus.APPROVED,
                entered_by=self.w.dept_reporter,
                reviewed_by=self.w.reviewer,
                reviewed_at=now,
                updated_at=now,
            )
            for indicator in Indicator.objects.filter(code__in=["tax", "pm25"])
            for unit in (self.w.town_a, self.w.town_b)
        )

    @cached_property
    def results(self):
        """March's result, computed and not yet published: each township sees its own card only."""
        scheme = self.scheme
        self._approved_inputs(MARCH)
        return snapshot_compute(scheme=scheme, period=MARCH, by=self.w.reviewer)

    @cached_property
    def published(self):
        """June's result, published (公示), appealed by township A and township B."""
        scheme = self.scheme
        self._approved_inputs(JUNE)
        snap = snapshot_compute(scheme=scheme, period=JUNE, by=self.w.reviewer)
        snap = snapshot_publish(snapshot=snap, by=self.w.reviewer)
        for reporter in (self.w.reporter, self.w.outsider):
            appeal_raise(snapshot=snap, indicator_code="tax", reason="数据偏低", by=reporter)
        return snap

    @cached_property
    def appeal_a(self):
        return self.published.appeals.get(unit=self.w.town_a)

    @cached_property
    def appeal_b(self):
        return self.published.appeals.get(unit=self.w.town_b)

    @cached_property
    def scheme_x(self):
        """Another county's scheme, on an indicator its township leads."""
        Indicator.objects.create(code="xtax", name="税收收入", category="economy", lead_unit=self.other.town)
        return scheme_save(
            jurisdiction=self.other.county,
            kind="township",
            by=self.other.admin,
            definition={
                "code": "x2022",
                "name": "新化县乡镇考核",
                "year": 2022,
                "groups": [{"code": "township", "name": "乡镇", "units": [self.other.town.name]}],
                "indicators": [{"code": "xtax", "weight": 100, "method": "efficacy"}],
                "grades": [{"name": "优秀", "min": 90}, {"name": "一般"}],
            },
        )

    @cached_property
    def indicator_x(self):
        return Indicator.objects.get(code=self.scheme_x.definition["indicators"][0]["code"])

    @cached_property
    def checklist_a(self):
        """A row of the county's responsibility checklist, the housing department's."""
        return ChecklistRow.objects.create(
            jurisdiction=self.w.city,
            year=2022,
            indicator=self.indicator,
            prefecture_weight=4,
            lead_unit=self.w.dept,
        )

    @cached_property
    def checklist_x(self):
        return ChecklistRow.objects.create(
            jurisdiction=self.other.county,
            year=2022,
            indicator=self.indicator_x,
            prefecture_weight=4,
            lead_unit=self.other.town,
        )


class Visitors:
    """A test client per persona, each signed in with a session of its own.

    The sessions are those `Client.force_login` leaves, written in one go without sending the sign-in's
    signal: its audit row and counters are the sign-in tests' business, and this file signs in some two
    thousand times. The clients themselves (their loaded middleware) are kept from test to test, their cookies
    renewed."""

    _clients: dict[str, Client] = {}

    def __init__(self, scene: Scene):
        users = {
            persona: scene.w.leader_user if persona == "leader" else getattr(scene, persona)
            for persona in PERSONAS
            if persona != ANONYMOUS
        }
        store, now = SessionStore(), timezone.now().timestamp()
        sessions = {
            persona: Session(
                session_key=get_random_string(32, VALID_KEY_CHARS),
                session_data=store.encode(
                    {
                        SESSION_KEY: user._meta.pk.value_to_string(user),
                        BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                        SESSION_STARTED: now,
                        SESSION_SEEN: now,
                    }
                ),
                expire_date=store.get_expiry_date(),
            )
            for persona, user in users.items()
        }
        Session.objects.bulk_create(sessions.values())
        self.keys = {persona: session.session_key for persona, session in sessions.items()}
        self.ready: set[str] = set()

    def __call__(self, persona: str) -> Client:
        client = self._clients.setdefault(persona, Client())
        if persona not in self.ready:
            client.cookies.clear()
            if persona != ANONYMOUS:
                client.cookies[settings.SESSION_COOKIE_NAME] = self.keys[persona]
            self.ready.add(persona)
        return client


@pytest.fixture
def scene(world, settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path / "media"  # attachments and evidence
    settings.DATA_DIR = tmp_path  # job files
    # The matrix is refused some two thousand times on purpose: Django's warning (with its traceback) for each
    # 403 and 404 is noise here. A 500 is still logged, as an error.
    caplog.set_level(logging.ERROR, logger="django.request")
    return Scene(world)


@pytest.fixture
def visit(scene):
    return Visitors(scene)


def url_of(row: Row, args) -> str:
    return reverse(row.name, args=[value.pk if isinstance(value, Model) else value for value in args])


def answer_of(response) -> object:
    """What a response says in the table's terms: its status, or where it redirects."""
    if response.status_code in (301, 302):
        return Moved(response["Location"])
    return response.status_code


def matches(answer, expected) -> bool:
    if isinstance(expected, Moved):
        return isinstance(answer, Moved) and answer.to.startswith(expected.to)
    return answer == expected


REFUSED = (FORBIDDEN, HIDDEN)
# Township B's name as the JSON of the API and of a page's json_script blocks writes it.
TOWNSHIP_B_ESCAPED = json.dumps(TOWNSHIP_B)[1:-1]


def names_township_b(response) -> bool:
    if response.streaming or "attachment" in response.get("Content-Disposition", ""):
        return False  # a file: the export check reads it
    text = response.content.decode(errors="replace")
    return TOWNSHIP_B in text or TOWNSHIP_B_ESCAPED in text


def denials() -> int:
    return AuditEvent.objects.filter(action="access.denied").count()


def state(objects) -> list:
    """The database's rows of the objects a URL names, as they are now."""
    return [type(obj).objects.filter(pk=obj.pk).values().first() for obj in objects if isinstance(obj, Model)]


# --- every pattern and operation has a row ----------------------------------------------------------------


def _patterns(resolver=None, namespace="", prefix=""):
    """Every pattern of the root URLconf, through its includes: its name ("namespace:name"), or its route."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner, route)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}{route}"


def _skipped(name: str) -> bool:
    """Django admin's own pages (model lists and forms, its login, logout and password pages, jsi18n):
    Django's, behind the admin's is_staff check, which the row of its index shows no persona passes."""
    return name.startswith("admin:") and name != "admin:index"


def test_every_url_pattern_has_a_row():
    names = [name for name in _patterns() if not _skipped(name)]
    rows = {row.name for row in ROWS}
    missing = [name for name in names if name not in rows]
    assert not missing, f"URL patterns without a row in guatu/web/tests/matrix.py: {missing}"
    assert not rows - set(names), f"rows of URL patterns that no longer exist: {sorted(rows - set(names))}"
    assert len(names) > 200, names  # the URLconf was walked, includes and all


def test_every_api_operation_has_a_row():
    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods
    }
    rows = {row.operation for row in ROWS if row.operation}
    assert not operations - rows, f"API operations without a row: {sorted(operations - rows)}"
    assert not rows - operations, f"rows of API operations that no longer exist: {sorted(rows - operations)}"


def test_every_row_answers_for_every_persona_and_agrees_with_itself():
    for row in ROWS:
        assert set(row.get) == set(PERSONAS), row.id
        if row.post:
            assert set(row.post.allowed) <= set(PERSONAS) - {ANONYMOUS}, row.id
            # whoever may write opens the form (a POST-only action's form is on its object's page)
            assert not {row.get[persona] for persona in row.post.allowed} & set(REFUSED), row.id
        if row.foreign and row.foreign_answer == FORBIDDEN:
            # refused by role before any object is looked up: township A's own object is refused the same way,
            # so the answer tells nothing of township B's
            assert row.get[REPORTER] in (FORBIDDEN, POST_ONLY), row.id
    assert len({row.id for row in ROWS}) == len(ROWS), "two rows of one test id"


# --- each row: who gets what, refused writes, township B's object, the export -----------------------------


def _param(row: Row):
    """A row's test; a row with a known access bug is a strict expected failure."""
    marks = [pytest.mark.xfail(reason=row.bug, strict=True)] if row.bug else []
    return pytest.param(row, id=row.id, marks=marks)


@pytest.mark.parametrize("row", [_param(row) for row in ROWS])
def test_row(scene, visit, row):
    row.needs(scene)
    url = url_of(row, row.args(scene))
    reporters_copy = _every_persona_gets_its_answer(visit, row, url)
    if row.post:
        _writes_are_refused(scene, visit, row, url)
    if row.foreign:
        _township_b_is_hidden_and_audited(scene, visit, row)
    if row.export:
        _the_export_holds_no_row_of_township_b(row, url, reporters_copy)


def _every_persona_gets_its_answer(visit, row: Row, url: str):
    """A GET as each persona; returns township A's reporter's response."""
    wrong, changes, refused_before, refusals = [], business_events().count(), denials(), 0
    for persona in PERSONAS:
        response = visit(persona).get(url, row.query)
        answer, expected = answer_of(response), row.get[persona]
        if not matches(answer, expected):
            wrong.append(f"GET as {persona}: {answer}, expected {expected}")
        elif persona == REPORTER and answer == OK and not row.county_wide and names_township_b(response):
            wrong.append(f"GET as {persona}: the page names {TOWNSHIP_B}")
        refusals += persona != ANONYMOUS and expected in REFUSED
        if persona == REPORTER:
            reporters = response
    assert not wrong, f"{url}: " + "; ".join(wrong)
    assert denials() - refused_before == refusals, f"{url}: a refusal without its audit row"
    assert business_events().count() == changes, f"{url}: a GET changed data"
    return reporters


def _writes_are_refused(scene, visit, row: Row, url: str):
    """Every persona who may not change it POSTs what its form sends: refused, nothing changed, audited."""
    objects = row.args(scene)
    data = row.post.data(scene) if row.post.data else {}
    before, changes, refused_before = state(objects), business_events().count(), denials()
    wrong, signed_in = [], 0
    for persona in (persona for persona in PERSONAS if persona not in row.post.allowed):
        if persona in OVERSIGHT and not set(row.post.allowed) & set(OVERSIGHT):
            continue  # OversightPagesOnlyMiddleware refuses any method before any view: the GET showed it
        answer = answer_of(visit(persona).post(url, data))
        if persona == ANONYMOUS:
            expected = UNAUTHORIZED if row.operation else LOGIN
            if not matches(answer, expected):
                wrong.append(f"POST as {persona}: {answer}, expected {expected}")
        elif answer not in REFUSED:
            wrong.append(f"POST as {persona}: {answer}, expected 403 or 404")
        signed_in += persona != ANONYMOUS
    assert not wrong, f"{url}: " + "; ".join(wrong)
    assert business_events().count() == changes, f"{url}: a refused POST changed data"
    assert state(objects) == before, f"{url}: a refused POST changed data"
    assert denials() - refused_before == signed_in, f"{url}: a refused POST without its audit row"


def _township_b_is_hidden_and_audited(scene, visit, row: Row):
    """Township A's reporter asks for township B's object (a GET, and a POST where the row writes): 404 (or
    the role's 403: `foreign_answer`), an `access.denied` row naming them, the method and the path; nothing
    changed."""
    url = url_of(row, row.foreign(scene))
    assert url != url_of(row, row.args(scene)), f"{row.id}: the foreign URL is township A's own"
    methods = ["get"] if row.get[REPORTER] != POST_ONLY else []
    methods += ["post"] if row.post else []
    for method in methods:
        refused_before, changes = denials(), business_events().count()
        response = getattr(visit(REPORTER), method)(url)
        assert response.status_code == row.foreign_answer, (method, url, response.status_code)
        assert denials() == refused_before + 1, f"{method.upper()} {url}: no audit row"
        denial = AuditEvent.objects.filter(action="access.denied").latest("pk")
        assert denial.actor == scene.reporter, denial.actor
        assert (denial.after["method"], denial.after["path"]) == (method.upper(), url), denial.after
        assert business_events().count() == changes, f"{method.upper()} {url} changed data"


def file_text(response) -> str:
    """Every text of a downloaded file: each cell of each sheet of a workbook, each paragraph and table cell
    of a Word document."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    name = response["Content-Disposition"]
    if ".xlsx" in name:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        lines = (line for sheet in book.worksheets for line in sheet.iter_rows(values_only=True))
        cells = (value for line in lines for value in line)
        return "\n".join(str(value) for value in cells if value is not None)
    if ".docx" in name:
        document = docx.Document(io.BytesIO(content))
        cells = [cell.text for table in document.tables for line in table.rows for cell in line.cells]
        return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)
    return content.decode()


def _the_export_holds_no_row_of_township_b(row: Row, url: str, response):
    """Township A's reporter's copy of the file, township B's rows being in the database: A's, none of B's."""
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"], url
    text = file_text(response)
    assert row.export in text, f"{url}: township A's rows are missing, so the check would prove nothing"
    assert TOWNSHIP_B not in text, f"{url}: " + re.sub(r"\s+", " ", text)[:500]
