"""Hypothesis fuzzes every form of the site: no input makes a page answer 500, and a refused form writes nothing.

Each target is one URL a form posts to (or, for the filter forms, one page that reads a form from its query),
the persona who may use it, and the page that shows the form. The test opens the page and reads the form as a
browser would send it (hidden version, chosen options, a submit button's name), fills in what a careful user
must type, and sends that once: it must be accepted, so that the hostile examples start from a form that gets
through to the service. Then Hypothesis sends the form with hostile values in every field, or in a few with the
rest as the careful user sent them: unicode, NUL bytes, text far past any length, huge, negative and malformed
numbers, impossible dates and months, ids that do not exist, files that are not what they say, fields missing
or unknown. Each request runs in a savepoint that is rolled back, so each starts from the same rows; a page
that shows the form again with its errors must have written nothing (no audit event of a change).

`test_every_form_class_is_fuzzed` fails naming any form class of the site that no target posts to, and
`test_every_url_is_a_target_or_takes_no_input` any URL nobody classified; each target checks that the form
classes it names did validate what was posted. Two hostile examples per target, from a seed of its own (the
same on every run; raise FUZZ's max_examples to search further), parametrized so pytest-xdist spreads them.
"""

from __future__ import annotations

import importlib
import pkgutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import guatu
from guatu import clock
from guatu.audit.queries import business_events
from guatu.testing import PASSWORD

pytestmark = pytest.mark.django_db

FUZZ = hypothesis_settings(
    max_examples=2,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# --- hostile values -------------------------------------------------------------------------------------------

LONG = "长" * 10_001
TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "长" * 256,
    LONG,
    "😀" * 300,
    "\u202egnp.exe",
    "e\u0301\u0327\u0308" * 50,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../../../etc/passwd",
    "%s%n%x{0}",
    "\r\n\t",
    "null",
    "[]",
]
NUMBERS = [
    "-1",
    "0",
    "-0.0",
    "1e400",
    "-1e400",
    "1e-400",
    "NaN",
    "Infinity",
    "99999999999999999999",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "12345678901234567890.123456789",
    "0.0000001",
    "1,000,000,000,000.5",
    "１２３",
    "١٢٣",
    "1_000",
    "0x10",
]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2022-02-30",
    "0000-00-00",
    "1899-12-31",
    "2022-13-01",
    "22-3-1",
]
MONTHS = ["2022-13", "0000-01", "9999-12", "1899-12", "3000-01", "2022-3", "2022-03-01", "-2022-03", "202203"]
IDS = [
    "0",
    "-1",
    "999999999",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "1.5",
    "1e3",
]
FILE_NAMES = [
    "a.xlsx",
    "a.pdf",
    "测试.docx",
    "a" * 300 + ".pdf",
    "../../x.xlsx",
    "a\x00.pdf",
    ".xlsx",
    "noext",
]
FILE_BYTES = [
    b"",
    b"PK\x03\x04not a zip",
    b"%PDF-1.4 not really",
    b"\x00" * 64,
    "表格".encode("gbk"),
    b"<?xml?>",
]


@st.composite
def upload(draw) -> SimpleUploadedFile:
    content = draw(st.one_of(st.sampled_from(FILE_BYTES), st.binary(max_size=200)))
    return SimpleUploadedFile(draw(st.sampled_from(FILE_NAMES)), content)


def hostile(kind: str, options: list[str]):
    """Values for a field of this input kind: the generic ones, the kind's own, and the other options."""
    own = {
        "number": NUMBERS,
        "date": DATES + MONTHS,
        "month": MONTHS + DATES,
        "select": IDS + NUMBERS[:4],
        "checkbox": ["on", "off", "2", "true"],
        "hidden": IDS + NUMBERS[:6],
    }.get(kind, NUMBERS[:6] + DATES[:3])
    values = st.sampled_from(TEXTS + own + [o for o in options if o not in own][:20])
    return st.one_of(values, st.text(max_size=30), st.lists(st.sampled_from(IDS + options), max_size=3))


# --- reading a form off its page --------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, number, date, month, select, checkbox, hidden, file, textarea, submit, ...
    values: list[str] = field(default_factory=list)  # as a browser would send them
    options: list[str] = field(default_factory=list)
    required: bool = False
    multiple: bool = False


@dataclass
class HtmlForm:
    action: str
    method: str
    ident: str
    fields: dict[str, Field] = field(default_factory=dict)


class FormReader(HTMLParser):
    """The forms of a page and their fields, as a browser would submit them (`form=` owners included)."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self._open: HtmlForm | None = None
        self._select: Field | None = None
        self._option: dict | None = None
        self._textarea: Field | None = None
        self._orphans: list[tuple[str, Field]] = []

    def _add(self, attrs, item: Field) -> None:
        owner = self._open
        if attrs.get("form"):  # a field outside its form, or before it: placed once the page is read
            owner = next((f for f in self.forms if f.ident == attrs["form"]), None)
            if owner is None:
                self._orphans.append((attrs["form"], item))
                return
        if owner is None:
            return
        known = owner.fields.get(item.name)
        if known is None:
            owner.fields[item.name] = item
        elif item.kind in ("radio", "checkbox", "submit"):
            known.values += item.values
            known.options += item.options
        else:
            known.values += item.values
            known.multiple = True

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = attrs.get("action") or self.page_url
            self._open = HtmlForm(
                action=action, method=(attrs.get("method") or "get").lower(), ident=attrs.get("id", "")
            )
            self.forms.append(self._open)
        elif tag in ("input", "button") and attrs.get("name"):
            kind = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind == "text" and attrs.get("inputmode") in ("decimal", "numeric"):
                kind = "number"
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                values = [value] if "checked" in attrs else []
                self._add(attrs, Field(attrs["name"], kind, values, [value], "required" in attrs))
            elif kind == "submit":
                self._add(attrs, Field(attrs["name"], kind, [], [value]))
            elif kind not in ("reset", "image", "button"):
                self._add(attrs, Field(attrs["name"], kind, [value], [], "required" in attrs))
        elif tag == "select" and attrs.get("name"):
            self._select = Field(attrs["name"], "select", [], [], "required" in attrs, "multiple" in attrs)
            self._add(attrs, self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = Field(attrs["name"], "textarea", [""], [], "required" in attrs)
            self._add(attrs, self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea.values[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = (
                self._option["value"] if self._option["value"] is not None else self._option["text"].strip()
            )
            self._select.options.append(value)
            if self._option["selected"]:
                self._select.values.append(value)
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.values[-1].startswith("\n"):
                self._textarea.values[-1] = self._textarea.values[-1][1:]
            self._textarea = None

    def close(self):
        super().close()
        for ident, item in self._orphans:
            owner = next((f for f in self.forms if f.ident == ident), None)
            if owner is not None and item.name not in owner.fields:
                owner.fields[item.name] = item


FILL = {
    "number": "1",
    "date": lambda: clock.today().isoformat(),
    "month": "2022-03",
    "email": "fuzz@example.com",
    "tel": "13800000000",
    "password": "Fuzz-Pass-2022-long",
}
FILL_BY_NAME = {"year": "2022", "start_year": "2022", "end_year": "2024", "month": "3", "quarter": "1"}


def _fill(item: Field) -> str:
    fill = (
        FILL[item.kind]
        if item.kind in ("date", "month")
        else FILL_BY_NAME.get(item.name) or FILL.get(item.kind, "模糊测试")
    )
    return fill() if callable(fill) else fill


def baseline(form: HtmlForm) -> dict[str, list[str]]:
    """The form as a careful user sends it: what the page filled in, the first real option of a select with
    nothing chosen, and something typed into each required field left empty."""
    data: dict[str, list[str]] = {}
    pressed = False
    for item in form.fields.values():
        if item.kind == "submit":
            if item.options and not pressed:
                data[item.name], pressed = item.options[:1], True
            continue
        if item.kind == "file":
            continue
        values = list(item.values)
        if item.kind == "select" and not any(values) and not item.multiple:
            real = [o for o in item.options if o != ""]
            values = real[:1] or values
        needed = item.required or item.name == "reason"  # a reason is required where the form asks for one
        if item.kind not in ("checkbox", "radio", "select") and needed and not any(values):
            values = [_fill(item)]
        if values:
            data[item.name] = values
    return data


# --- the site's rows each target needs ----------------------------------------------------------------------------


class Site:
    """The world's county with what each form works on, each made through the services when first asked for
    (a target pays only for the rows it uses)."""

    def __init__(self, world):
        self.w = world

    # reports: one per state, each in its own month of 2022
    def _report(self, month: str, status: str):
        from guatu.testing import make_report

        w = self.w
        return make_report(
            w.project_a, f"2022-{month}", "100", reporter=w.reporter, reviewer=w.reviewer, status=status
        )

    @cached_property
    def report_draft(self):
        return self._report("04", "draft")

    @cached_property
    def report_submitted(self):
        return self._report("02", "submitted")

    @cached_property
    def report_approved(self):
        return self._report("01", "approved")

    # dispatch
    def _problem(self, *, to: str = "raised"):
        from guatu.dispatch import services

        w = self.w
        problem = services.problem_raise(
            project=w.project_a, description="征地拆迁未完成", category="land", by=w.reporter
        )
        if to == "raised":
            return problem
        problem = services.problem_assign(
            problem=problem,
            expected_version=problem.version,
            unit=w.dept,
            deadline=clock.today() + timedelta(days=7),
            required_outcome="完成征地",
            by=w.reviewer,
        )
        if to == "assigned":
            return problem
        services.problem_feedback(
            problem=problem, text="已完成征地", by=w.dept_reporter, expected_version=problem.version
        )
        problem.refresh_from_db()
        if to == "in_hand":
            return problem
        problem = services.problem_verify(problem=problem, expected_version=problem.version, by=w.reviewer)
        if to == "verified":
            return problem
        return services.problem_close(problem=problem, expected_version=problem.version, by=w.reviewer)

    @cached_property
    def problem_raised(self):
        return self._problem()

    @cached_property
    def problem_assigned(self):
        return self._problem(to="assigned")

    @cached_property
    def problem_in_hand(self):
        return self._problem(to="in_hand")

    @cached_property
    def problem_verified(self):
        return self._problem(to="verified")

    @cached_property
    def problem_closed(self):
        return self._problem(to="closed")

    @cached_property
    def order(self):
        from guatu.dispatch.services import supervision_issue

        w = self.w
        return supervision_issue(
            project=w.project_a,
            problem=None,
            addressee=w.dept,
            requirement="书面说明征地进展",
            deadline=clock.today() + timedelta(days=5),
            by=w.reviewer,
        )

    @cached_property
    def order_responded(self):
        from guatu.dispatch.services import supervision_respond

        return supervision_respond(order=self.order, response="已书面说明", by=self.w.dept_reporter)

    @cached_property
    def meeting(self):
        from guatu.dispatch.services import meeting_create

        w = self.w
        return meeting_create(
            tier=1,
            date=clock.today(),
            title="市住建局现场调度会",
            convenor_unit=w.dept,
            attendee_units=[w.town_a],
            attendees=[w.leader],
            by=w.reviewer,
        )

    @cached_property
    def decision(self):
        from guatu.dispatch.services import decision_add

        w = self.w
        return decision_add(
            meeting=self.meeting,
            text="三日内完成征地",
            responsible_unit=w.dept,
            deadline=clock.today() + timedelta(days=3),
            project=w.project_a,
            by=w.reviewer,
        )

    # projects
    @cached_property
    def milestone(self):
        from guatu.projects.schedule import milestone_add

        w = self.w
        return milestone_add(
            project=w.project_a,
            kind="approval",
            name="立项批复",
            planned_date=date(2022, 3, 1),
            by=w.city_admin,
        )

    @cached_property
    def cancelled_project(self):
        from guatu.projects.services import project_cancel
        from guatu.testing import make_project

        w = self.w
        project = make_project(location=w.town_a, name="已撤销的测试项目")
        return project_cancel(
            project=project, reason="不再实施", expected_version=project.version, by=w.city_admin
        )

    @cached_property
    def tag(self):
        from guatu.testing import make_tag

        return make_tag("fuzz", "模糊测试级别", order=9)

    # orgs
    @cached_property
    def spare_unit(self):
        from guatu.testing import make_unit

        return make_unit("待撤并镇", parent=self.w.city)

    @cached_property
    def closed_unit(self):
        from guatu.orgs.services import orgunit_close
        from guatu.testing import make_unit

        w = self.w
        unit = make_unit("已撤并镇", parent=w.city)
        return orgunit_close(unit=unit, expected_version=unit.version, reason="乡镇撤并", by=w.city_admin)

    # chains, firms, leads, the reserve
    @cached_property
    def chain(self):
        from guatu.projects.services import chain_create

        w = self.w
        return chain_create(jurisdiction=w.city, name="锑产业链", chief=w.leader, lead_unit=w.drc)

    def chain_part(self, part: str):
        from guatu.chains import services

        w, chain = self.w, self.chain
        if part == "target":
            return services.target_add(
                chain=chain, year=2022, metric="output", target=Decimal("1000"), by=w.city_admin
            )
        if part == "policy":
            return services.policy_add(chain=chain, title="锑产业扶持政策", by=w.city_admin)
        if part == "progress":
            return services.progress_add(
                chain=chain,
                happened_on=date(2022, 3, 1),
                content="召开链长会议",
                done_by="市发改局",
                by=w.city_admin,
            )
        return services.member_add(chain=chain, name="张三", unit=w.drc, duty="联络员", by=w.city_admin)

    @cached_property
    def enterprise(self):
        from guatu.testing import make_enterprise

        return make_enterprise(self.w.town_a, chain=self.chain, by=self.w.city_admin)

    def lead(self, status: str = "lead"):
        from guatu.attraction.tests.helpers import make_lead

        return make_lead(self.w.town_a, status=status, by=self.w.city_admin)

    def application(self, step: str = "submit"):
        from guatu.reserve import services

        w = self.w
        application = services.funding_application_create(
            project=w.project_a,
            kind="special_bonds",
            year=2022,
            amount_requested=Decimal("500"),
            by=w.city_admin,
        )
        if step in ("approve", "reject", "arrive"):
            application = services.funding_application_submit(
                application=application,
                expected_version=application.version,
                submitted_on=clock.today(),
                by=w.city_admin,
            )
        if step == "arrive":
            application = services.funding_application_approve(
                application=application,
                expected_version=application.version,
                decided_on=clock.today(),
                amount_approved=Decimal("400"),
                by=w.city_admin,
            )
        return application

    # assessment
    @cached_property
    def scheme(self):
        from guatu.testing import make_assessment_office

        return make_assessment_office(self.w)

    def indicator(self, code: str = "tax"):
        from guatu.assessment.models import Indicator

        self.scheme  # noqa: B018 - the office's indicators come with its scheme
        return Indicator.objects.get(code=code)

    @cached_property
    def value_submitted(self):
        from guatu.assessment.services import value_save, value_submit
        from guatu.lib.periods import Period

        w = self.w
        item = value_save(
            unit=w.town_a,
            indicator=self.indicator(),
            period=Period(2022, 3),
            value=Decimal("1200"),
            by=w.dept_reporter,
            expected_version=None,
        )
        return value_submit(value=item, expected_version=item.version, by=w.dept_reporter)

    @cached_property
    def value_approved(self):
        from guatu.assessment.services import value_approve

        item = self.value_submitted
        return value_approve(value=item, expected_version=item.version, by=self.w.reviewer)

    @cached_property
    def published(self):
        from guatu.assessment.services import snapshot_compute, snapshot_publish
        from guatu.assessment.tests.test_services import Q1, full_inputs

        scheme = self.scheme
        full_inputs(self.w)
        return snapshot_publish(
            snapshot=snapshot_compute(scheme=scheme, period=Q1, by=self.w.reviewer), by=self.w.reviewer
        )

    @cached_property
    def computed(self):
        from guatu.assessment.services import snapshot_compute
        from guatu.assessment.tests.test_services import Q1, full_inputs

        scheme = self.scheme
        full_inputs(self.w)
        return snapshot_compute(scheme=scheme, period=Q1, by=self.w.reviewer)

    @cached_property
    def appeal(self):
        from guatu.assessment.services import appeal_raise

        return appeal_raise(
            snapshot=self.published, indicator_code="pm25", reason="监测点位于国道旁", by=self.w.outsider
        )

    @cached_property
    def gdp(self):
        from guatu.assessment.models import Indicator

        return Indicator.objects.create(
            code="gdp_growth", name="地区生产总值增速", category="economy", measure="%", lead_unit=self.w.dept
        )

    @cached_property
    def checklist_row(self):
        from guatu.assessment import reference

        w = self.w
        data = {
            "year": 2022,
            "indicator": self.gdp,
            "prefecture_weight": Decimal("4"),
            "target": Decimal("7.5"),
            "lead_unit": w.dept,
        }
        return reference.reference_save(kind=reference.CHECKLIST, data=data, by=w.dept_reporter)

    @cached_property
    def checklist_submitted(self):
        from guatu.assessment import reference

        row = self.checklist_row
        return reference.reference_step(
            kind=reference.CHECKLIST,
            row=row,
            step="submit",
            expected_version=row.version,
            by=self.w.dept_reporter,
        )

    @cached_property
    def headline(self):
        from guatu.assessment.models import HeadlineIndicator, ValueStatus

        return HeadlineIndicator.objects.create(
            jurisdiction=self.w.city,
            year=2022,
            position=1,
            name="地区生产总值",
            measure="亿元",
            target=Decimal("8"),
            status=ValueStatus.APPROVED,
        )

    @cached_property
    def value_draft(self):
        from guatu.assessment.services import value_save
        from guatu.lib.periods import Period

        w = self.w
        return value_save(
            unit=w.town_b,
            indicator=self.indicator(),
            period=Period(2022, 3),
            value=Decimal("800"),
            by=w.dept_reporter,
            expected_version=None,
        )

    @cached_property
    def upheld(self):
        from guatu.assessment.services import appeal_answer

        return appeal_answer(
            appeal=self.appeal, outcome="upheld", answer="监测点确有偏差", by=self.w.reviewer
        )

    @cached_property
    def lead_new(self):
        return self.lead()

    @cached_property
    def lead_negotiating(self):
        return self.lead("negotiating")

    @cached_property
    def lead_signed(self):
        return self.lead("signed")

    @cached_property
    def lead_started(self):
        return self.lead("started")

    # people beyond the world's personas
    @cached_property
    def security(self):
        from guatu.testing import make_security_admin

        return make_security_admin(self.w.city)

    @cached_property
    def auditor(self):
        from guatu.testing import make_audit_admin

        return make_audit_admin(self.w.city)

    @cached_property
    def disabled_user(self):
        from guatu.accounts.models import Role
        from guatu.testing import make_user

        return make_user("retired", self.w.town_a, Role.VIEWER, is_active=False)

    def device(self, user):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)

    def person(self, persona: str):
        return self.w.personas.get(persona) or getattr(self, persona)

    @cached_property
    def notification(self):
        from guatu.notifications.models import Notification
        from guatu.notifications.services import notify

        notify(
            users=[self.w.reporter], kind="fuzz", title="有新的交办问题", url="/dispatch/", dedupe_key="fuzz"
        )
        return Notification.objects.get(user=self.w.reporter)


# --- targets --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A URL that takes a form: `name` is its URL name, `args` its arguments from the site; `page` the page
    showing the form (default the URL itself); `forms` the form classes (module.Class) that must validate what
    is posted. `method` "get" for the filter forms, read from the query."""

    name: str
    persona: str
    forms: tuple[str, ...]
    args: Callable[[Site], tuple] = lambda s: ()
    page: Callable[[Site], str] | None = None
    method: str = "post"
    query: Callable[[Site], dict] | None = None  # the URL's own query (e.g. ?project=)
    label: str = ""
    files: Callable[[Site], dict] | None = None  # name -> make(site): a file the careful user attaches
    fill: Callable[[Site], dict] | None = None  # what the careful user types where the page has nothing
    refused_baseline: str = ""  # why even the careful form is refused (then only hostile input is tried)
    open: Callable[[Site, Client], object] | None = (
        None  # the response showing the form, when not a GET of `page`
    )
    form_at: str = (
        ""  # the URL name the page's form is sent to, when not `name` (an export reads the list's form)
    )
    prepare: Callable[[Site], object] | None = None  # rows to make before signing in
    params: tuple[str, ...] = ()  # query parameters a page reads without a form (then no page is opened)
    settings: dict = field(default_factory=dict, hash=False)

    @property
    def id(self) -> str:
        return self.label or self.name

    def url(self, site: Site) -> str:
        url = reverse(self.name, args=self.args(site))
        return url + _query(self.query(site) if self.query else {})


def _query(params: dict) -> str:
    from django.utils.http import urlencode

    return "?" + urlencode(params, doseq=True) if params else ""


def F(module: str, *names: str) -> tuple[str, ...]:
    return tuple(f"guatu.{module}.{name}" for name in names)


def _detail(name: str, obj: str) -> Callable[[Site], str]:
    """The page of the object the form acts on."""
    return lambda s: reverse(name, args=[getattr(s, obj).pk])


PERIOD = "2022-03"
G = "get"

TARGETS: list[Target] = [
    # --- signing in and out, the language, one's password, two-factor codes
    Target(
        "login",
        "anonymous",
        F("accounts.forms", "SignInForm"),
        fill=lambda s: {"username": "viewer", "password": PASSWORD},
    ),
    Target("logout", "viewer", (), page=lambda s: reverse("projects:list")),
    Target("set_language", "viewer", (), page=lambda s: reverse("projects:list")),
    Target(
        "accounts:password_change",
        "viewer",
        F("accounts.forms", "OwnPasswordForm"),
        fill=lambda s: {"old_password": PASSWORD},
    ),
    Target(
        "accounts:two_factor_enrol",
        "reviewer",
        F("accounts.forms", "CodeForm"),
        settings={"GUATU_2FA_REQUIRED": True},
        refused_baseline="no authenticator app to read a code from",
    ),
    Target(
        "accounts:two_factor_verify",
        "reviewer",
        F("accounts.forms", "CodeForm"),
        settings={"GUATU_2FA_REQUIRED": True},
        prepare=lambda s: s.device(s.w.reviewer),
        refused_baseline="no authenticator app to read a code from",
    ),
    # --- people: the city administrator's accounts, the security administrator's roles, the audit log
    Target(
        "accounts:user_new",
        "city_admin",
        F("accounts.forms", "UserCreateForm"),
        fill=lambda s: {"username": "fuzz_user", "password": "Fuzz-Pass-2022-long"},
    ),
    Target("accounts:user", "city_admin", F("accounts.forms", "UserForm"), lambda s: (s.w.viewer.pk,)),
    Target(
        "accounts:user_disable",
        "city_admin",
        F("orgs.forms", "VersionForm"),
        lambda s: (s.w.viewer.pk,),
        page=lambda s: reverse("accounts:user", args=[s.w.viewer.pk]),
    ),
    Target(
        "accounts:user_enable",
        "city_admin",
        F("orgs.forms", "VersionForm"),
        lambda s: (s.disabled_user.pk,),
        page=_detail("accounts:user", "disabled_user"),
    ),
    Target(
        "accounts:user_password_reset",
        "city_admin",
        F("accounts.forms", "PasswordResetForm"),
        lambda s: (s.w.viewer.pk,),
        page=lambda s: reverse("accounts:user", args=[s.w.viewer.pk]),
    ),
    Target(
        "accounts:security_user",
        "security",
        F("accounts.forms", "RoleForm"),
        lambda s: (s.w.viewer.pk,),
        fill=lambda s: {"role": "reporter"},
    ),
    Target(
        "accounts:security_unlock",
        "security",
        F("orgs.forms", "VersionForm"),
        lambda s: (s.w.viewer.pk,),
        page=lambda s: reverse("accounts:security_user", args=[s.w.viewer.pk]),
        prepare=lambda s: _lock(s.w.viewer),
    ),
    Target(
        "accounts:security_two_factor_reset",
        "security",
        F("orgs.forms", "VersionForm"),
        lambda s: (s.w.reviewer.pk,),
        page=lambda s: reverse("accounts:security_user", args=[s.w.reviewer.pk]),
        prepare=lambda s: s.device(s.w.reviewer),
    ),
    Target("audit:log", "auditor", F("audit.forms", "AuditFilterForm"), method=G),
    # --- the org tree and its leaders (the city administrator)
    Target("orgs:unit_new", "city_admin", F("orgs.forms", "UnitForm")),
    Target("orgs:unit", "city_admin", F("orgs.forms", "UnitForm"), lambda s: (s.w.town_b.pk,)),
    Target(
        "orgs:unit_move",
        "city_admin",
        F("orgs.forms", "MoveForm"),
        lambda s: (s.w.town_b.pk,),
        page=lambda s: reverse("orgs:unit", args=[s.w.town_b.pk]),
    ),
    Target(
        "orgs:unit_close",
        "city_admin",
        F("orgs.forms", "CloseForm"),
        lambda s: (s.spare_unit.pk,),
        page=_detail("orgs:unit", "spare_unit"),
    ),
    Target(
        "orgs:unit_reopen",
        "city_admin",
        F("orgs.forms", "VersionForm"),
        lambda s: (s.closed_unit.pk,),
        page=_detail("orgs:unit", "closed_unit"),
    ),
    Target("orgs:leader_new", "city_admin", F("orgs.forms", "LeaderForm")),
    Target("orgs:leader", "city_admin", F("orgs.forms", "LeaderForm"), lambda s: (s.w.other_leader.pk,)),
    Target(
        "orgs:leader_end",
        "city_admin",
        F("orgs.forms", "VersionForm"),
        lambda s: (s.w.other_leader.pk,),
        page=lambda s: reverse("orgs:leader", args=[s.w.other_leader.pk]),
    ),
    # --- the project library
    Target("projects:list", "viewer", F("projects.forms", "ProjectFilterForm"), method=G),
    Target(
        "projects:export",
        "viewer",
        F("projects.forms", "ProjectFilterForm"),
        method=G,
        page=lambda s: reverse("projects:list"),
        form_at="projects:list",
    ),
    Target("projects:new", "city_admin", F("projects.forms", "ProjectForm", "TaskForceRowForm")),
    Target(
        "projects:edit",
        "city_admin",
        F("projects.forms", "ProjectForm", "TaskForceRowForm"),
        lambda s: (s.w.project_a.pk,),
    ),
    Target("projects:cancel", "city_admin", F("projects.forms", "ReasonForm"), lambda s: (s.w.project_a.pk,)),
    Target(
        "projects:restore",
        "city_admin",
        F("projects.forms", "ReasonForm"),
        lambda s: (s.cancelled_project.pk,),
    ),
    Target(
        "projects:stage",
        "city_admin",
        F("projects.forms", "StageForm"),
        lambda s: (s.w.project_a.pk,),
        fill=lambda s: {"stage": "completed"},
    ),
    Target(
        "projects:milestone_add",
        "city_admin",
        F("projects.schedule_forms", "MilestoneForm"),
        lambda s: (s.w.project_a.pk,),
    ),
    Target(
        "projects:milestone_edit",
        "city_admin",
        F("projects.schedule_forms", "MilestoneForm"),
        lambda s: (s.w.project_a.pk, s.milestone.pk),
    ),
    Target(
        "projects:milestone_complete",
        "city_admin",
        F("projects.schedule_forms", "MilestoneCompleteForm"),
        lambda s: (s.w.project_a.pk, s.milestone.pk),
    ),
    Target(
        "projects:milestone_delete",
        "city_admin",
        F("projects.schedule_forms", "MilestoneDeleteForm"),
        lambda s: (s.w.project_a.pk, s.milestone.pk),
    ),
    Target(
        "projects:plan_edit",
        "city_admin",
        F("projects.schedule_forms", "AnnualPlanForm"),
        lambda s: (s.w.project_a.pk, 2022),
    ),
    Target(
        "projects:tag_add",
        "city_admin",
        F("projects.schedule_forms", "LevelTagForm"),
        fill=lambda s: {"code": "fuzz"},
    ),
    Target(
        "projects:tag_edit", "city_admin", F("projects.schedule_forms", "LevelTagForm"), lambda s: (s.tag.pk,)
    ),
    Target(
        "projects:tag_delete",
        "city_admin",
        F("projects.schedule_forms", "VersionedForm"),
        lambda s: (s.tag.pk,),
        page=lambda s: s.tag and reverse("projects:tag_list"),
    ),
    # --- monthly reports
    Target(
        "reports:edit", "reporter", F("reports.forms", "ReportForm"), lambda s: (s.w.project_a.pk, PERIOD)
    ),
    Target(
        "reports:submit",
        "reporter",
        F("reports.forms", "ActionForm"),
        lambda s: (s.report_draft.pk,),
        page=_detail("reports:detail", "report_draft"),
    ),
    Target(
        "reports:return",
        "reviewer",
        F("reports.forms", "ReasonForm"),
        lambda s: (s.report_submitted.pk,),
        page=_detail("reports:detail", "report_submitted"),
    ),
    Target(
        "reports:approve",
        "reviewer",
        F("reports.forms", "ActionForm"),
        lambda s: (s.report_submitted.pk,),
        page=_detail("reports:detail", "report_submitted"),
    ),
    Target(
        "reports:unlock",
        "city_admin",
        F("reports.forms", "ReasonForm"),
        lambda s: (s.report_approved.pk,),
        page=_detail("reports:detail", "report_approved"),
    ),
    Target(
        "reports:bulk_approve",
        "reviewer",
        F("reports.forms", "BulkApproveForm"),
        page=lambda s: s.report_submitted and reverse("reports:review_queue"),
    ),
    Target("reports:review_queue", "reviewer", F("reports.forms", "QueueFilterForm"), method=G),
    Target(
        "reports:review_queue_export",
        "reviewer",
        F("reports.forms", "QueueFilterForm"),
        method=G,
        page=lambda s: reverse("reports:review_queue"),
        form_at="reports:review_queue",
    ),
    Target(
        "reports:workbook",
        "reporter",
        F("reports.forms", "WorkbookUploadForm"),
        lambda s: (s.w.town_a.pk, PERIOD),
        files=lambda s: {"file": _workbook},
    ),
    # --- dispatch: problems, supervision orders, meetings
    Target("dispatch:problem_list", "reviewer", F("dispatch.forms", "ProblemFilterForm"), method=G),
    Target(
        "dispatch:problem_export",
        "reviewer",
        F("dispatch.forms", "ProblemFilterForm"),
        method=G,
        page=lambda s: reverse("dispatch:problem_list"),
        form_at="dispatch:problem_list",
    ),
    Target(
        "dispatch:problem_raise",
        "reporter",
        F("dispatch.forms", "ProblemRaiseForm"),
        query=lambda s: {"project": s.w.project_a.pk},
    ),
    Target(
        "dispatch:problem_assign",
        "reviewer",
        F("dispatch.forms", "AssignForm"),
        lambda s: (s.problem_raised.pk,),
        page=_detail("dispatch:problem", "problem_raised"),
    ),
    Target(
        "dispatch:problem_feedback",
        "dept_reporter",
        F("dispatch.forms", "FeedbackForm"),
        lambda s: (s.problem_assigned.pk,),
        page=_detail("dispatch:problem", "problem_assigned"),
    ),
    Target(
        "dispatch:problem_verify",
        "reviewer",
        F("dispatch.forms", "VersionedForm"),
        lambda s: (s.problem_in_hand.pk,),
        page=_detail("dispatch:problem", "problem_in_hand"),
    ),
    Target(
        "dispatch:problem_close",
        "reviewer",
        F("dispatch.forms", "CloseForm"),
        lambda s: (s.problem_verified.pk,),
        page=_detail("dispatch:problem", "problem_verified"),
    ),
    Target(
        "dispatch:problem_reopen",
        "reviewer",
        F("dispatch.forms", "ReasonForm"),
        lambda s: (s.problem_closed.pk,),
        page=_detail("dispatch:problem", "problem_closed"),
    ),
    Target("dispatch:order_list", "reviewer", F("dispatch.forms", "OrderFilterForm"), method=G),
    Target(
        "dispatch:order_export",
        "reviewer",
        F("dispatch.forms", "OrderFilterForm"),
        method=G,
        page=lambda s: reverse("dispatch:order_list"),
        form_at="dispatch:order_list",
    ),
    Target(
        "dispatch:order_issue",
        "reviewer",
        F("dispatch.forms", "OrderIssueForm"),
        query=lambda s: {"project": s.w.project_a.pk},
    ),
    Target(
        "dispatch:order_respond",
        "dept_reporter",
        F("dispatch.forms", "OrderResponseForm"),
        lambda s: (s.order.pk,),
        page=_detail("dispatch:order", "order"),
    ),
    Target(
        "dispatch:order_close",
        "reviewer",
        (),
        lambda s: (s.order_responded.pk,),
        page=_detail("dispatch:order", "order_responded"),
    ),
    Target("dispatch:meeting_create", "reviewer", F("dispatch.forms", "MeetingForm")),
    Target(
        "dispatch:meeting_minutes",
        "reviewer",
        F("dispatch.forms", "MinutesForm"),
        lambda s: (s.meeting.pk,),
        page=_detail("dispatch:meeting", "meeting"),
    ),
    Target(
        "dispatch:meeting_add_item",
        "reviewer",
        F("dispatch.forms", "DecidedItemForm"),
        lambda s: (s.meeting.pk,),
        page=_detail("dispatch:meeting", "meeting"),
        fill=lambda s: {"unit": s.w.dept.pk, "deadline": (clock.today() + timedelta(days=7)).isoformat()},
    ),
    Target(
        "dispatch:meeting_decision_add",
        "reviewer",
        F("dispatch.forms", "DecisionForm"),
        lambda s: (s.meeting.pk,),
        page=_detail("dispatch:meeting", "meeting"),
    ),
    Target(
        "dispatch:meeting_decision_edit",
        "reviewer",
        F("dispatch.forms", "DecisionForm"),
        lambda s: (s.meeting.pk, s.decision.pk),
    ),
    Target(
        "dispatch:meeting_decision_remove",
        "reviewer",
        F("dispatch.forms", "DecisionRemoveForm"),
        lambda s: (s.meeting.pk, s.decision.pk),
        page=lambda s: s.decision and reverse("dispatch:meeting", args=[s.meeting.pk]),
    ),
    # --- warning lights
    Target("lights:board", "reviewer", F("lights.forms", "BoardForm"), method=G),
    Target(
        "lights:board_export",
        "reviewer",
        F("lights.forms", "BoardForm"),
        method=G,
        page=lambda s: reverse("lights:board"),
        form_at="lights:board",
    ),
    Target(
        "lights:compute",
        "city_admin",
        F("lights.forms", "ComputeForm"),
        page=lambda s: reverse("lights:board"),
    ),
    Target(
        "lights:rules_edit",
        "city_admin",
        F("lights.forms", "RulesForm"),
        page=lambda s: reverse("lights:rules"),
    ),
    Target(
        "lights:default_period_edit",
        "city_admin",
        F("lights.forms", "DefaultPeriodForm"),
        page=lambda s: reverse("lights:rules"),
    ),
    Target(
        "lights:rules_upload",
        "city_admin",
        F("lights.forms", "RulesFileForm"),
        page=lambda s: reverse("lights:rules"),
        files=lambda s: {"file": _rules_file},
    ),
    # --- assessment: the indicator library, schemes, values, results, appeals, reference data
    Target("assessment:indicator_list", "viewer", F("assessment.forms", "IndicatorFilterForm"), method=G),
    Target(
        "assessment:indicator_create",
        "reviewer",
        F("assessment.forms", "IndicatorForm"),
        fill=lambda s: {"code": "fuzz_x"},
    ),
    Target(
        "assessment:indicator_edit",
        "reviewer",
        F("assessment.forms", "IndicatorForm"),
        lambda s: (s.indicator().pk,),
    ),
    Target(
        "assessment:scheme_create",
        "reviewer",
        F("assessment.forms", "SchemeYamlForm"),
        fill=lambda s: {"text": _scheme_text(s, code="fuzz")},
    ),
    Target(
        "assessment:scheme_edit",
        "reviewer",
        F("assessment.forms", "SchemeYamlForm"),
        lambda s: (s.scheme.pk,),
    ),
    Target(
        "assessment:scheme_import",
        "reviewer",
        F("assessment.forms", "SchemeImportForm"),
        page=lambda s: reverse("assessment:scheme_list"),
        files=lambda s: {"file": _scheme_file},
    ),
    Target(
        "assessment:scheme_indicator_add",
        "reviewer",
        F("assessment.forms", "SchemeIndicatorForm"),
        lambda s: (s.scheme.pk,),
        prepare=lambda s: s.gdp,
        fill=lambda s: {"weight": "10", "method": "efficacy"},
    ),
    Target(
        "assessment:scheme_indicator",
        "reviewer",
        F("assessment.forms", "SchemeIndicatorForm"),
        lambda s: (s.scheme.pk, "tax"),
    ),
    Target(
        "assessment:scheme_indicator_remove",
        "reviewer",
        (),
        lambda s: (s.scheme.pk, "tax"),
        page=_detail("assessment:scheme_detail", "scheme"),
    ),
    Target(
        "assessment:scheme_go",
        "reviewer",
        F("assessment.forms", "PeriodForm"),
        lambda s: (s.scheme.pk,),
        method=G,
        page=_detail("assessment:scheme_detail", "scheme"),
    ),
    Target("assessment:value_index", "dept_reporter", F("assessment.forms", "PeriodForm"), method=G),
    Target(
        "assessment:value_grid",
        "dept_reporter",
        F("assessment.forms", "ValueRowForm"),
        lambda s: (s.indicator().pk, PERIOD),
    ),
    Target(
        "assessment:value_submit",
        "dept_reporter",
        (),
        lambda s: (s.value_draft.pk,),
        page=_detail("assessment:value_detail", "value_draft"),
    ),
    Target(
        "assessment:evidence_upload",
        "dept_reporter",
        F("assessment.forms", "EvidenceForm"),
        lambda s: (s.value_draft.pk,),
        page=_detail("assessment:value_detail", "value_draft"),
        files=lambda s: {"file": lambda s: SimpleUploadedFile("完税证明.pdf", b"%PDF-1.4 proof")},
    ),
    Target(
        "assessment:value_approve",
        "reviewer",
        (),
        lambda s: (s.value_submitted.pk,),
        page=_detail("assessment:value_detail", "value_submitted"),
    ),
    Target(
        "assessment:value_return",
        "reviewer",
        F("assessment.forms", "ReasonForm"),
        lambda s: (s.value_submitted.pk,),
        page=_detail("assessment:value_detail", "value_submitted"),
    ),
    Target(
        "assessment:value_unlock",
        "city_admin",
        F("assessment.forms", "ReasonForm"),
        lambda s: (s.value_approved.pk,),
        page=_detail("assessment:value_detail", "value_approved"),
    ),
    Target("assessment:review_queue", "reviewer", F("assessment.forms", "QueueFilterForm"), method=G),
    Target(
        "assessment:values_export",
        "reviewer",
        F("assessment.forms", "QueueFilterForm"),
        method=G,
        page=lambda s: reverse("assessment:review_queue"),
        form_at="assessment:review_queue",
    ),
    Target(
        "assessment:items",
        "reviewer",
        F("assessment.forms", "ItemForm"),
        lambda s: (s.scheme.pk, PERIOD),
        fill=lambda s: {"points": "1"},
    ),
    Target(
        "assessment:compute",
        "reviewer",
        (),
        lambda s: (s.scheme.pk, PERIOD),
        page=lambda s: reverse("assessment:results", args=[s.computed.scheme_id, PERIOD]),
    ),
    Target(
        "assessment:publish",
        "reviewer",
        (),
        lambda s: (s.scheme.pk, PERIOD),
        page=lambda s: reverse("assessment:results", args=[s.computed.scheme_id, PERIOD]),
    ),
    Target(
        "assessment:republish",
        "reviewer",
        (),
        lambda s: (s.scheme.pk, PERIOD),
        page=lambda s: reverse("assessment:results", args=[s.upheld.snapshot.scheme_id, PERIOD]),
    ),
    Target(
        "assessment:appeal_raise",
        "outsider",
        F("assessment.forms", "AppealForm"),
        lambda s: (s.scheme.pk, PERIOD, s.w.town_b.pk),
        page=lambda s: reverse("assessment:card", args=[s.published.scheme_id, PERIOD, s.w.town_b.pk]),
    ),
    Target(
        "assessment:appeal_answer",
        "reviewer",
        F("assessment.forms", "AnswerForm"),
        lambda s: (s.appeal.pk,),
        page=lambda s: reverse("assessment:appeal_list"),
    ),
    Target("assessment:benchmarks", "viewer", F("assessment.forms", "PeriodForm"), method=G),
    Target("assessment:headline", "viewer", F("assessment.forms", "HeadlineForm"), method=G),
    *[
        Target(
            "assessment:reference_new",
            persona,
            F("assessment.forms", form),
            lambda s, kind=kind: (kind,),
            label=f"assessment:reference_new:{kind}",
            fill=fill,
        )
        for kind, persona, form, fill in [
            (
                "checklist",
                "dept_reporter",
                "ChecklistEntryForm",
                lambda s: {
                    "indicator": s.gdp.pk,
                    "year": "2022",
                    "prefecture_weight": "4",
                    "target": "7.5",
                    "lead_unit": s.w.dept.pk,
                },
            ),
            (
                "peers",
                "dept_reporter",
                "PeerEntryForm",
                lambda s: {
                    "indicator": s.gdp.pk,
                    "year": "2022",
                    "month": "3",
                    "peer": "涟源市",
                    "value": "6.8",
                },
            ),
            (
                "headlines",
                "city_admin",
                "HeadlineEntryForm",
                lambda s: {"year": "2022", "position": "2", "direction": "higher", "target": "10"},
            ),
            (
                "headline-quarters",
                "city_admin",
                "HeadlineQuarterEntryForm",
                lambda s: {"indicator": s.headline.pk, "quarter": "1", "actual": "7.9"},
            ),
        ]
    ],
    Target(
        "assessment:reference_detail",
        "dept_reporter",
        F("assessment.forms", "ChecklistEntryForm"),
        lambda s: ("checklist", s.checklist_row.pk),
    ),
    Target(
        "assessment:reference_step",
        "dept_reporter",
        (),
        lambda s: ("checklist", s.checklist_row.pk, "submit"),
        page=lambda s: reverse("assessment:reference_detail", args=["checklist", s.checklist_row.pk]),
        label="assessment:reference_step:submit",
    ),
    Target(
        "assessment:reference_step",
        "reviewer",
        F("assessment.forms", "ReasonForm"),
        lambda s: ("checklist", s.checklist_submitted.pk, "return"),
        page=lambda s: reverse("assessment:reference_detail", args=["checklist", s.checklist_submitted.pk]),
        label="assessment:reference_step:return",
    ),
    # --- the dispatch table's import, the bulletin
    Target(
        "imports:projects",
        "city_admin",
        F("imports.forms", "ProjectsUploadForm"),
        files=lambda s: {"file": _dispatch_table},
    ),
    Target(
        "imports:projects_confirm",
        "city_admin",
        F("imports.forms", "ProjectsConfirmForm"),
        open=lambda s, client: client.post(reverse("imports:projects"), {"file": _dispatch_table(s)}),
    ),
    Target("bulletins:new", "reviewer", F("bulletins.forms", "BulletinForm")),
    # --- service to enterprises
    Target("enterprises:list", "viewer", F("enterprises.forms", "EnterpriseFilterForm"), method=G),
    Target(
        "enterprises:export",
        "viewer",
        F("enterprises.forms", "EnterpriseFilterForm"),
        method=G,
        page=lambda s: reverse("enterprises:list"),
        form_at="enterprises:list",
    ),
    Target(
        "enterprises:new",
        "city_admin",
        F("enterprises.forms", "EnterpriseForm"),
        fill=lambda s: {"uscc": _uscc()},
    ),
    Target(
        "enterprises:edit",
        "city_admin",
        F("enterprises.forms", "EnterpriseForm"),
        lambda s: (s.enterprise.pk,),
    ),
    Target(
        "enterprises:figures",
        "city_admin",
        F("enterprises.forms", "FigureForm"),
        lambda s: (s.enterprise.pk,),
        page=_detail("enterprises:detail", "enterprise"),
    ),
    Target(
        "enterprises:request_raise",
        "reporter",
        F("enterprises.forms", "RequestForm"),
        lambda s: (s.enterprise.pk,),
    ),
    # --- chains
    Target("chains:edit", "city_admin", F("chains.forms", "ChainForm"), lambda s: (s.chain.pk,)),
    *[
        Target(
            "chains:part_add",
            "city_admin",
            F("chains.forms", form),
            lambda s, part=part: (s.chain.pk, part),
            label=f"chains:part_add:{part}",
        )
        for part, form in [
            ("target", "TargetForm"),
            ("policy", "PolicyForm"),
            ("progress", "ProgressForm"),
            ("member", "MemberForm"),
        ]
    ],
    Target(
        "chains:part_edit",
        "city_admin",
        F("chains.forms", "TargetForm"),
        lambda s: (s.chain.pk, "target", s.chain_part("target").pk),
    ),
    Target(
        "chains:part_delete",
        "city_admin",
        F("chains.forms", "DeleteForm"),
        lambda s: (s.chain.pk, "member", s.chain_part("member").pk),
    ),
    # --- investment attraction
    Target("attraction:list", "viewer", F("attraction.forms", "FilterForm"), method=G),
    Target(
        "attraction:export",
        "viewer",
        F("attraction.forms", "FilterForm"),
        method=G,
        page=lambda s: reverse("attraction:list"),
        form_at="attraction:list",
    ),
    Target("attraction:performance", "viewer", F("attraction.forms", "PerformanceForm"), method=G),
    Target("attraction:create", "city_admin", F("attraction.forms", "LeadForm")),
    Target("attraction:edit", "city_admin", F("attraction.forms", "LeadForm"), lambda s: (s.lead_new.pk,)),
    Target(
        "attraction:step",
        "city_admin",
        F("attraction.forms", "StepForm"),
        lambda s: (s.lead_negotiating.pk, "lead.sign"),
        page=_detail("attraction:detail", "lead_negotiating"),
        fill=lambda s: {"on": "2022-01-10", "contract_amount": "20000", "promised_start": "2022-03-01"},
        label="attraction:step:sign",
    ),
    Target(
        "attraction:step",
        "city_admin",
        F("attraction.forms", "DropForm"),
        lambda s: (s.lead_new.pk, "lead.drop"),
        page=_detail("attraction:detail", "lead_new"),
        label="attraction:step:drop",
    ),
    Target(
        "attraction:follow_up",
        "city_admin",
        F("attraction.forms", "FollowUpForm"),
        lambda s: (s.lead_new.pk,),
        page=_detail("attraction:detail", "lead_new"),
    ),
    Target(
        "attraction:funds",
        "city_admin",
        F("attraction.forms", "FundsForm"),
        lambda s: (s.lead_signed.pk,),
        page=_detail("attraction:detail", "lead_signed"),
    ),
    Target(
        "attraction:convert",
        "city_admin",
        F("attraction.forms", "ConvertForm"),
        lambda s: (s.lead_started.pk,),
        page=_detail("attraction:detail", "lead_started"),
    ),
    # --- the reserve and funding applications
    Target("reserve:depth", "viewer", F("reserve.forms", "DepthFilterForm"), method=G),
    Target("reserve:applications", "viewer", F("reserve.forms", "ApplicationFilterForm"), method=G),
    Target(
        "reserve:tier",
        "city_admin",
        F("reserve.forms", "TierForm"),
        lambda s: (s.w.project_a.pk,),
        fill=lambda s: {"tier": "rolling"},
    ),
    Target(
        "reserve:rule_edit",
        "city_admin",
        F("reserve.forms", "EntryRuleForm"),
        lambda s: ("reserve", "industry"),
    ),
    Target("reserve:gate_edit", "city_admin", F("reserve.forms", "GateForm"), lambda s: ("rolling",)),
    Target(
        "reserve:application_new",
        "city_admin",
        F("reserve.forms", "ApplicationForm"),
        lambda s: (s.w.project_a.pk,),
    ),
    Target(
        "reserve:application_edit",
        "city_admin",
        F("reserve.forms", "ApplicationForm"),
        lambda s: (s.application().pk,),
    ),
    Target(
        "reserve:application_step",
        "city_admin",
        F("reserve.forms", "ApplicationStepForm"),
        lambda s: (s.application("approve").pk, "approve"),
        label="reserve:application_step:approve",
    ),
    # --- pages that read a month, a unit or a year from the query (a form without a Form class, or none)
    Target("investment:summary", "viewer", F("investment.views", "SummaryUnitForm"), method=G),
    # the filter bars' pickers (guatu.web.lookups): the typed text, the listbox the options are named after
    Target("lookup", "viewer", (), lambda s: ("library-units",), method=G, params=("q", "list")),
    Target("battlemap:page", "reviewer", (), method=G),
    Target("assessment:checklist", "viewer", (), method=G, params=("year",)),
    Target("chains:list", "viewer", (), method=G, params=("period", "format")),
    Target("chains:detail", "viewer", (), lambda s: (s.chain.pk,), method=G, params=("period",)),
    Target("projects:detail", "viewer", (), lambda s: (s.w.project_a.pk,), method=G, params=("year",)),
    Target("attraction:detail", "city_admin", (), lambda s: (s.lead_signed.pk,), method=G, params=("funds",)),
    # --- the inbox
    Target(
        "notifications:mark_read",
        "reporter",
        (),
        lambda s: (s.notification.pk,),
        page=lambda s: reverse("notifications:inbox"),
    ),
    Target(
        "notifications:mark_all_read",
        "reporter",
        (),
        page=lambda s: s.notification and reverse("notifications:inbox"),
    ),
]


def _lock(user) -> None:
    """Five wrong passwords in a row: the name is locked."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    for _attempt in range(5):
        authenticate(RequestFactory().post("/accounts/login/"), username=user.username, password="wrong")


def _workbook(site: Site) -> SimpleUploadedFile:
    """The township's template for the month, as the page gives it: a workbook the upload reads through."""
    from guatu.lib.periods import Period
    from guatu.reports import workbook

    return SimpleUploadedFile("月报.xlsx", workbook.build_template(site.w.town_a, Period(2022, 3)))


def _scheme_text(site: Site, *, code: str) -> str:
    """The office's scheme as YAML, under another code: a new scheme the office may save."""
    import yaml

    from guatu.assessment.services import scheme_export_yaml

    definition = yaml.safe_load(scheme_export_yaml(site.scheme))["scheme"]
    return yaml.safe_dump({"scheme": {**definition, "code": code}}, allow_unicode=True, sort_keys=False)


def _scheme_file(site: Site) -> SimpleUploadedFile:
    from pathlib import Path

    text = (Path(guatu.__file__).parent / "demo" / "township-scheme-2022.yaml").read_bytes()
    return SimpleUploadedFile("township-scheme-2022.yaml", text)


def _dispatch_table(site: Site) -> SimpleUploadedFile:
    from guatu.imports.tests.sheets import dispatch_workbook, to_bytes

    return SimpleUploadedFile("调度表.xlsx", to_bytes(dispatch_workbook()))


def _uscc() -> str:
    from guatu.lib.uscc import with_check_characters

    return with_check_characters("91431381", "MA0FUX01")


def _rules_file(site: Site) -> SimpleUploadedFile:
    from pathlib import Path

    text = (Path(guatu.__file__).parent / "demo" / "lights-rules.yaml").read_bytes()
    return SimpleUploadedFile("lights-rules.yaml", text)


# --- the test --------------------------------------------------------------------------------------------------


def _forms_in(context) -> list:
    """Every bound form (or formset) the page was rendered with."""
    found = []
    for layer in context or []:  # a ContextList of each template's Context
        for values in getattr(layer, "dicts", [layer]):
            for value in values.values() if isinstance(values, dict) else []:
                if (
                    isinstance(value, (forms.BaseForm, forms.BaseFormSet))
                    and value.is_bound
                    and value not in found
                ):
                    found.append(value)
    return found


def _has_errors(item) -> bool:
    if isinstance(item, forms.BaseFormSet):
        return bool(item.non_form_errors()) or any(f.errors for f in item.forms)
    return bool(item.errors)


def _find_form(target: Target, site: Site, client: Client) -> tuple[HtmlForm, str]:
    url = target.url(site)
    if target.params:
        return HtmlForm(url, "get", "", {name: Field(name, "text", [""]) for name in target.params}), url
    page = target.page(site) if target.page else url
    response = target.open(site, client) if target.open else client.get(page)
    assert response.status_code == 200, (target.id, page, response.status_code)
    reader = FormReader(page)
    reader.feed(response.content.decode())
    reader.close()
    wanted = reverse(target.form_at, args=target.args(site)) if target.form_at else urlsplit(url).path
    for form in reader.forms:
        if form.method == target.method and urlsplit(form.action).path == wanted:
            return form, url
    found = [(f.method, f.action) for f in reader.forms]
    raise AssertionError(f"{target.id}: no {target.method} form to {wanted} on {page}: {found}")


@pytest.fixture
def validated(monkeypatch) -> set[str]:
    """The form classes that ran their validation during the test."""
    seen: set[str] = set()
    original = forms.BaseForm.full_clean

    def full_clean(self):
        seen.add(f"{type(self).__module__}.{type(self).__qualname__}")
        return original(self)

    monkeypatch.setattr(forms.BaseForm, "full_clean", full_clean)
    return seen


@pytest.fixture(scope="module")
def _data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-forms")


@pytest.fixture
def media(settings, _data_dir):
    """Uploaded files and job outputs go to one folder of the run (a folder per test costs more than a target)."""
    settings.MEDIA_ROOT = _data_dir / "media"
    settings.GUATU_DATA_DIR = _data_dir


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_a_form_survives_hostile_input(target, world, validated, media, settings, client):
    for name, value in target.settings.items():
        setattr(settings, name, value)
    site = Site(world)
    if target.prepare:
        target.prepare(site)
    if target.persona != "anonymous":
        client.force_login(site.person(target.persona))
    form, url = _find_form(target, site, client)
    filled = target.fill(site) if target.fill else {}
    base = {
        **baseline(form),
        **{name: value if isinstance(value, list) else [value] for name, value in filled.items()},
    }
    files = target.files(site) if target.files else {}
    form.fields.setdefault("unexpected", Field("unexpected", "text"))  # a field the form does not have
    if target.method == "get":
        form.fields.setdefault("page", Field("page", "number"))  # the list's page, read beside the form
    names = sorted(name for name in form.fields if name != "csrfmiddlewaretoken")

    def send(data: dict, uploads: dict) -> list:
        """One request in a savepoint rolled back; the forms the answer shows with their errors."""
        cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))  # a sign-in or out is undone too
        with transaction.atomic():
            before = business_events().count()
            if target.method == "get":
                response = client.get(url, data)
            else:
                response = client.post(url, {**data, **uploads})
            refused = [item for item in _forms_in(response.context) if _has_errors(item)]
            written = business_events().count() - before
            transaction.set_rollback(True)
        client.cookies = cookies
        assert response.status_code < 500, (target.id, data, uploads)
        # A page that shows the form again wrote nothing (a GET may: a read of the audit log is audited).
        if refused and response.status_code != 302 and target.method == "post":
            assert written == 0, (target.id, "a refused form wrote", written, data)
        return refused

    if target.method == "post":  # (a filter form's page was just read as it opens)
        refused = send(base, {name: make(site) for name, make in files.items()})
        if not target.refused_baseline:
            assert not refused, (
                target.id,
                "the careful form is refused",
                base,
                [_errors(f) for f in refused],
            )

    @FUZZ
    @seed(zlib.crc32(target.id.encode()))  # reproducible, and not the same draws for every target
    @given(data=st.data())
    def fuzz(data):
        post = {name: list(values) for name, values in base.items()}
        uploads = {name: make(site) for name, make in files.items()}
        # Every field hostile runs each field's own validation; a few, with the rest as the careful user sent
        # them, reaches the form's and the service's checks.
        every_field = st.just(names)
        a_few = st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)
        for name in data.draw(st.one_of(every_field, a_few), label="fields"):
            item = form.fields[name]
            if item.kind == "file":
                uploads[name] = data.draw(upload(), label=name)
                continue
            value = data.draw(st.one_of(st.none(), hostile(item.kind, item.options)), label=name)
            if value is None:
                post.pop(name, None)
            else:
                post[name] = value if isinstance(value, list) else [value]
        send(post, uploads)

    fuzz()
    missing = set(target.forms) - validated
    assert not missing, f"{target.id}: these forms never validated what was posted: {missing}"


def _errors(form) -> object:
    return (
        form.errors
        if isinstance(form, forms.BaseForm)
        else [form.non_form_errors(), [f.errors for f in form.forms]]
    )


# --- completeness -------------------------------------------------------------------------------------------

# Form classes that are only bases of others (each subclass is a target's).
BASES = {
    "guatu.imports.forms._Options": "the import forms' shared options",
    "guatu.chains.forms._PartForm": "the chain parts' forms",
    "guatu.assessment.forms.ReferenceForm": "the four reference data forms",
    "guatu.attraction.forms.VersionedForm": "the lead forms that carry a version",
    "guatu.web.lookups.LookupForm": "the filter forms with pickers (units, chains, leaders)",
}

# URLs that take no input beyond the ids in their path: pages, downloads, and the JSON API (test_fuzz_api.py).
NO_INPUT = {
    "home",
    "accounts:user_list",
    "accounts:security",
    "orgs:tree",
    "projects:tag_list",
    "projects:milestone_attachment",
    "reports:detail",
    "reports:due",
    "reports:workbook_template",
    "dispatch:my_work",
    "dispatch:problem",
    "dispatch:feedback_attachment",
    "dispatch:order",
    "dispatch:order_bulletin",
    "dispatch:meeting_list",
    "dispatch:meeting",
    "dispatch:meeting_agenda_docx",
    "dispatch:meeting_minutes_docx",
    "lights:rules",
    "lights:rules_yaml",
    "notifications:inbox",
    "assessment:home",
    "assessment:scheme_list",
    "assessment:scheme_detail",
    "assessment:scheme_export",
    "assessment:results",
    "assessment:results_export",
    "assessment:results_version_export",
    "assessment:results_version",
    "assessment:card_version",
    "assessment:card",
    "assessment:value_detail",
    "assessment:evidence_download",
    "assessment:appeal_list",
    "assessment:unit_benchmarks_latest",
    "assessment:unit_benchmarks",
    "assessment:reference_list",
    "battlemap:wall",
    "jobs:list",
    "jobs:detail",
    "jobs:status",
    "jobs:download",
    "enterprises:detail",
    "enterprises:request_figures",
    "chains:mine",
    "chains:chief",
    "reserve:rules",
    "reserve:application",
}


def _url_names() -> set[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if inner not in ("admin", "api"):
                    walk(
                        pattern.url_patterns,
                        f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else inner,
                    )
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def _form_classes() -> set[str]:
    """Every form class of the site: the forms modules, and any form a view module defines."""
    for module in pkgutil.walk_packages(guatu.__path__, "guatu."):
        parts = module.name.split(".")
        if "tests" in parts or "migrations" in parts:
            continue
        if parts[-1].endswith("forms") or "views" in parts[-1] or "views" in parts:
            importlib.import_module(module.name)
    found, queue = set(), [forms.BaseForm]
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith("guatu.") and ".tests" not in cls.__module__:
            found.add(f"{cls.__module__}.{cls.__qualname__}")
    return found


def test_every_form_class_is_fuzzed():
    covered = {name for target in TARGETS for name in target.forms}
    missing = _form_classes() - covered - set(BASES)
    assert not missing, f"form classes no target posts to (add a Target): {sorted(missing)}"
    assert not covered - _form_classes(), (
        f"targets name form classes that do not exist: {sorted(covered - _form_classes())}"
    )


def test_every_url_is_a_target_or_takes_no_input():
    names = _url_names()
    targeted = {target.name for target in TARGETS}
    unclassified = names - targeted - NO_INPUT
    assert not unclassified, f"URLs neither fuzzed nor listed as taking no input: {sorted(unclassified)}"
    stale = (targeted | NO_INPUT) - names
    assert not stale, f"listed URLs that no longer exist: {sorted(stale)}"


# --- what the fuzzing found -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    ["x", "review_queue", "a\nb", "/reports/\x00", "//elsewhere.example/", "https://elsewhere.example/"],
)
def test_a_next_that_is_not_a_path_of_the_site_is_ignored(client, world, next_url):
    """`next=x` on the review queue's approval was a 500: `redirect` takes text without a slash for a view name
    to reverse, and a newline cannot go in the Location header (guatu.web.forms.safe_next)."""
    client.force_login(world.reviewer)
    response = client.post(reverse("reports:bulk_approve"), {"next": next_url})
    assert response.status_code == 302 and response.url == reverse("reports:review_queue")


@pytest.mark.parametrize(
    "name, persona, field",
    [("dispatch:meeting_create", "reviewer", "attendees"), ("imports:projects", "city_admin", "tags")],
)
def test_an_id_past_any_integer_is_a_wrong_choice(client, world, name, persona, field):
    """Ticking a leader or a level tag of id 2⁶³ was a 500 on SQLite: Django looks the ids up with `pk__in`
    (guatu.web.forms.BoundedModelMultipleChoiceField)."""
    client.force_login(world.personas[persona])
    response = client.post(reverse(name), {field: ["1", "9223372036854775808"]})
    assert response.status_code in (200, 400) and field in response.context["form"].errors


@pytest.mark.parametrize("next_url", ["x", "a\nb"])
def test_a_next_after_a_two_factor_code_that_is_not_a_path_is_ignored(client, world, settings, next_url):
    from guatu.accounts.tests.test_two_factor import code, device_for

    settings.GUATU_2FA_REQUIRED = True
    device = device_for(world.reviewer)
    client.force_login(world.reviewer)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": code(device), "next": next_url})
    assert response.status_code == 302 and response.url == reverse("home")
