"""The authorisation matrix: who gets what from every URL pattern and API operation
(guatu/web/tests/test_authorization_matrix.py runs it).

One `Row` per URL pattern, by its name ("app:name"), and per API operation ("GET /api/v1/..."); a second row
of a pattern is a variant of it with a query (an Excel export of a list page). A row says:

- `get`: each persona's answer to a GET, written with `answers()`: who gets 200, what the rest of the staff
  get, and any persona that differs, by name. Every persona is asserted: the six staff personas of
  `guatu.testing.World`, the security and audit administrators (三员, refused every page but their office's),
  the anonymous visitor;
- `args`: the path arguments of a concrete URL, from the test's `Scene` (`s.project_a`, `s.report_a`,
  `s.town_a`: township A's objects, made on first use; a model instance stands for its primary key); `query`,
  its query;
- `post`: for a page or action that changes something, who may (`writers(...)`). Every other staff persona and
  the anonymous visitor POST what its form would send and are refused (403 or 404; the login page), with
  nothing changed and each refusal audited. The allowed write itself is the app's own tests' business; the
  allowed personas must open the form (their GET is not refused; a POST-only action's form is on its object's
  page). The oversight administrators POST only to their own office's actions: every other URL refuses them
  whatever the method, in OversightPagesOnlyMiddleware, before any view (their GET shows it);
- `foreign`: the same URL for township B's object (another county's, for a county-wide object: a scheme, a
  chain, an indicator, a leader): township A's reporter gets 404 (`foreign_answer`: 403 where the role is
  refused before any object is looked up, as for township A's own) and an `access.denied` audit row;
- `export`: the row is a file township A's reporter takes away; the text of township A's the file must hold
  (so that finding none of township B's proves something);
- `needs`: the objects a list shows, both townships', made before the page is opened: township A's reporter
  reads no name of township B on any page they open, unless `county_wide` says why the page names every
  township;
- `bug`: an access bug the matrix found, with a `# BUG:` comment; the row's test is a strict expected failure
  until the app is fixed (then the row is corrected and the mark removed).

A URL or API operation without a row fails `test_every_url_pattern_has_a_row` /
`test_every_api_operation_has_a_row`: decide who may open it and add its row here, next to its app's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# --- personas ----------------------------------------------------------------------------------------------

ADMIN = "city_admin"
REVIEWER = "reviewer"
REPORTER = "reporter"  # township A (禾青镇)
DEPT = "dept_reporter"  # the housing department: lead unit of project A
LEADER = "leader"  # project A's responsible leader
VIEWER = "viewer"  # township A
SECURITY = "security_admin"  # 三员: roles, sign-in locks, two-factor devices; no business data
AUDITOR = "audit_admin"  # 三员: the audit log; no business data
ANONYMOUS = "anonymous"

STAFF = (ADMIN, REVIEWER, REPORTER, DEPT, LEADER, VIEWER)
OVERSIGHT = (SECURITY, AUDITOR)
PERSONAS = (*STAFF, *OVERSIGHT, ANONYMOUS)
OFFICE = (ADMIN, REVIEWER)  # the jurisdiction's review office
REPORTERS = (REPORTER, DEPT)

# --- answers -----------------------------------------------------------------------------------------------

OK = 200
UNAUTHORIZED = 401
FORBIDDEN = 403
HIDDEN = 404  # the gateway's "no such object", which it does not tell apart from one the user may not see
POST_ONLY = 405


@dataclass(frozen=True)
class Moved:
    """A redirect to a path that starts with `to`."""

    to: str


LOGIN = Moved("/accounts/login/?next=")
HOME = Moved("/")


def answers(ok=(), rest=FORBIDDEN, *, anonymous=LOGIN, oversight=FORBIDDEN, **each) -> dict[str, object]:
    """Every persona's answer: the staff in `ok` get 200, the rest of the staff `rest`, a persona named in
    `each` its own. The anonymous visitor goes to the login page; the oversight administrators are refused."""
    assert set(each) <= set(PERSONAS), f"no such persona: {set(each) - set(PERSONAS)}"
    table = {persona: OK if persona in ok else rest for persona in STAFF}
    return table | {persona: oversight for persona in OVERSIGHT} | {ANONYMOUS: anonymous} | each


EVERYONE = answers(STAFF)
OFFICE_ONLY = answers(OFFICE)
ADMIN_ONLY = answers((ADMIN,))
# an action: 405 for a GET (the anonymous visitor goes to the login page first)
POSTED = answers(rest=POST_ONLY)
API = answers(STAFF, anonymous=UNAUTHORIZED)


@dataclass(frozen=True)
class Post:
    allowed: tuple[str, ...]
    data: Callable | None = None  # the scene → what the form sends


def writers(*allowed: str, data: Callable | None = None) -> Post:
    return Post(allowed=allowed, data=data)


@dataclass(frozen=True)
class Row:
    name: str  # the URL pattern's name
    get: dict[str, object]
    args: Callable = lambda s: ()
    query: dict = field(default_factory=dict)
    post: Post | None = None
    foreign: Callable | None = None
    foreign_answer: int = HIDDEN
    export: str = ""
    needs: Callable = lambda s: ()
    county_wide: str = ""
    operation: str = ""  # the API operation: "GET /api/v1/..."
    bug: str = ""

    @property
    def id(self) -> str:
        """The row's test id: its pattern or operation, with the query of a variant (an export)."""
        query = "&".join(f"{key}={value}" for key, value in self.query.items() if key != "period")
        return (self.operation or self.name) + (f"?{query}" if query else "")


P = "2022-03"  # the month of the scene's reports and results
SHOWS_PROJECT_A = "禾青镇锑品深加工项目"
# In the name of every township B object the scene makes: 渣渡镇, 渣渡镇农贸市场改造项目, 渣渡煤业有限公司...
TOWNSHIP_B = "渣渡"
# The form of a meeting's decided items (on the meeting's page, for whoever records them) offers every unit of
# the county as the responsible one.
ANY_UNIT = "a decided item is given to any unit of the county: its form names them all"


def _version(obj) -> dict:
    return {"version": type(obj).objects.get(pk=obj.pk).version}


def _reason(obj) -> dict:
    return _version(obj) | {"reason": "矩阵测试"}


ROWS = [
    # --- the frame, signing in, one's own password ----------------------------------------------------------
    Row(
        "home",
        answers(
            rest=Moved("/investment/summary/"),
            security_admin=Moved("/accounts/security/"),
            audit_admin=Moved("/audit/log/"),
        ),
    ),
    Row("login", answers(STAFF, anonymous=OK, oversight=OK)),
    Row("logout", answers(rest=POST_ONLY, anonymous=POST_ONLY, oversight=POST_ONLY)),  # Django's: POST only
    Row("set_language", answers(rest=HOME, anonymous=HOME, oversight=HOME)),  # a GET changes nothing
    # the filter bars' pickers (guatu.web.lookups): the reader's own units, those of their projects
    Row("lookup", EVERYONE, lambda s: ("library-units",)),
    Row("accounts:password_change", answers(STAFF, oversight=OK), post=writers(*STAFF, *OVERSIGHT)),
    # two-factor sign-in is off in the test suite: its pages send everyone on
    Row("accounts:two_factor_verify", answers(rest=HOME, oversight=HOME), post=writers(*STAFF, *OVERSIGHT)),
    Row("accounts:two_factor_enrol", answers(rest=HOME, oversight=HOME), post=writers(*STAFF, *OVERSIGHT)),
    # --- users (the city administrator); roles, locks and devices (the security administrator) --------------
    Row("accounts:user_list", ADMIN_ONLY),
    Row("accounts:user_new", ADMIN_ONLY, post=writers(ADMIN)),
    Row(
        "accounts:user",
        ADMIN_ONLY,
        lambda s: (s.viewer,),
        post=writers(ADMIN),
        foreign=lambda s: (s.outsider,),
        foreign_answer=FORBIDDEN,
    ),
    *[
        Row(
            f"accounts:{name}",
            POSTED,
            lambda s: (s.viewer,),
            post=writers(ADMIN, data=lambda s: _version(s.viewer)),
            foreign=lambda s: (s.outsider,),
            foreign_answer=FORBIDDEN,
        )
        for name in ("user_disable", "user_enable", "user_password_reset")
    ],
    Row("accounts:security", answers(security_admin=OK)),
    Row(
        "accounts:security_user",
        answers(security_admin=OK),
        lambda s: (s.viewer,),
        post=writers(SECURITY),
        foreign=lambda s: (s.other.reporter,),
        foreign_answer=FORBIDDEN,
    ),
    *[
        Row(
            f"accounts:{name}",
            answers(rest=POST_ONLY, security_admin=POST_ONLY),
            lambda s: (s.viewer,),
            post=writers(SECURITY, data=lambda s: _version(s.viewer)),
            foreign=lambda s: (s.other.reporter,),
            foreign_answer=FORBIDDEN,
        )
        for name in ("security_unlock", "security_two_factor_reset")
    ],
    Row("audit:log", answers(audit_admin=OK)),
    # --- the org tree and leaders (the city administrator) --------------------------------------------------
    Row("orgs:tree", ADMIN_ONLY),
    Row("orgs:unit_new", ADMIN_ONLY, post=writers(ADMIN)),
    Row(
        "orgs:unit",
        ADMIN_ONLY,
        lambda s: (s.town_a,),
        post=writers(ADMIN),
        foreign=lambda s: (s.town_b,),
        foreign_answer=FORBIDDEN,
    ),
    *[
        Row(
            f"orgs:{name}",
            POSTED,
            lambda s: (s.town_a,),
            post=writers(ADMIN, data=lambda s: _version(s.town_a)),
            foreign=lambda s: (s.town_b,),
            foreign_answer=FORBIDDEN,
        )
        for name in ("unit_move", "unit_close", "unit_reopen")
    ],
    Row("orgs:leader_new", ADMIN_ONLY, post=writers(ADMIN)),
    *[
        Row(
            f"orgs:{name}",
            answers_,
            lambda s: (s.leader,),
            post=writers(ADMIN),
            foreign=lambda s: (s.other.leader,),
            foreign_answer=FORBIDDEN,
        )
        for name, answers_ in (("leader", ADMIN_ONLY), ("leader_end", POSTED))
    ],
    # --- the project library: project A is township A's, led by the housing department ----------------------
    Row("projects:list", EVERYONE),
    Row("projects:export", EVERYONE, export=SHOWS_PROJECT_A),
    Row("projects:detail", EVERYONE, lambda s: (s.project_a,), foreign=lambda s: (s.project_b,)),
    Row("projects:new", OFFICE_ONLY, post=writers(*OFFICE)),
    *[
        Row(
            f"projects:{name}",
            OFFICE_ONLY,
            lambda s: (s.project_a,),
            post=writers(*OFFICE, data=lambda s: _reason(s.project_a)),
            foreign=lambda s: (s.project_b,),
        )
        for name in ("edit", "cancel", "restore", "stage", "milestone_add")
    ],
    *[
        Row(
            f"projects:{name}",
            OFFICE_ONLY,
            lambda s: (s.project_a, s.milestone_a),
            post=writers(*OFFICE),
            foreign=lambda s: (s.project_b, s.milestone_b),
        )
        for name in ("milestone_edit", "milestone_complete", "milestone_delete")
    ],
    Row(
        "projects:milestone_attachment",
        EVERYONE,
        lambda s: (s.project_a, s.milestone_a),
        foreign=lambda s: (s.project_b, s.milestone_b),
    ),
    Row(
        "projects:plan_edit",
        OFFICE_ONLY,
        lambda s: (s.project_a, 2022),
        post=writers(*OFFICE),
        foreign=lambda s: (s.project_b, 2022),
    ),
    Row("projects:tag_list", ADMIN_ONLY),
    Row("projects:tag_add", ADMIN_ONLY, post=writers(ADMIN)),
    # another county's level tag: not this county's administrator's to change
    *[
        Row(
            f"projects:{name}",
            answers_,
            lambda s: (s.county_tag,),
            post=writers(ADMIN),
            foreign=lambda s: (s.tag_x,),
            foreign_answer=FORBIDDEN,
        )
        for name, answers_ in (("tag_edit", ADMIN_ONLY), ("tag_delete", POSTED))
    ],
    # --- monthly reports: March's of project A, submitted ---------------------------------------------------
    Row("reports:review_queue", OFFICE_ONLY, needs=lambda s: (s.report_a, s.report_b)),
    Row("reports:review_queue_export", OFFICE_ONLY),
    Row(
        "reports:bulk_approve",
        POSTED,
        post=writers(*OFFICE, data=lambda s: {"selected": [f"{s.report_a.pk}:{s.report_a.version}"]}),
    ),
    Row("reports:due", answers(REPORTERS)),
    # a unit's workbook is its own reporters'; the housing department's reporter does not see township A's
    # unit
    Row(
        "reports:workbook",
        answers((REPORTER,), dept_reporter=HIDDEN),
        lambda s: (s.town_a, P),
        post=writers(REPORTER),
        foreign=lambda s: (s.town_b, P),
    ),
    Row(
        "reports:workbook_template",
        answers((REPORTER,), dept_reporter=HIDDEN),
        lambda s: (s.town_a, P),
        foreign=lambda s: (s.town_b, P),
        export=SHOWS_PROJECT_A,
        needs=lambda s: (s.report_a, s.report_b),
    ),
    Row(
        "reports:edit",
        answers(REPORTERS),
        lambda s: (s.project_a, "2022-04"),
        post=writers(*REPORTERS),
        foreign=lambda s: (s.project_b, "2022-04"),
    ),
    Row("reports:detail", EVERYONE, lambda s: (s.report_a,), foreign=lambda s: (s.report_b,)),
    Row(
        "reports:submit",
        POSTED,
        lambda s: (s.report_a,),
        post=writers(*REPORTERS, data=lambda s: _version(s.report_a)),
        foreign=lambda s: (s.report_b,),
    ),
    *[
        Row(
            f"reports:{name}",
            POSTED,
            lambda s: (s.report_a,),
            post=writers(*OFFICE, data=lambda s: _reason(s.report_a)),
            foreign=lambda s: (s.report_b,),
        )
        for name in ("return", "approve")
    ],
    # an approved report is reopened by a role above the reviewer's who approved it (gateway.can_unlock)
    Row(
        "reports:unlock",
        POSTED,
        lambda s: (s.approved_report_a,),
        post=writers(ADMIN, data=lambda s: _reason(s.approved_report_a)),
        foreign=lambda s: (s.approved_report_b,),
    ),
    Row("investment:summary", EVERYONE),
    # --- dispatch: project A's problem, assigned to township A; its order; township A's meeting -------------
    Row("dispatch:my_work", EVERYONE, needs=lambda s: (s.problem_a, s.problem_b, s.order_a, s.order_b)),
    Row("dispatch:problem_list", EVERYONE, needs=lambda s: (s.problem_a, s.problem_b)),
    Row(
        "dispatch:problem_export",
        EVERYONE,
        export=SHOWS_PROJECT_A,
        needs=lambda s: (s.problem_a, s.problem_b),
    ),
    Row("dispatch:problem_raise", answers(OFFICE + REPORTERS), post=writers(*OFFICE, *REPORTERS)),
    Row("dispatch:problem", EVERYONE, lambda s: (s.problem_a,), foreign=lambda s: (s.problem_b,)),
    *[
        Row(
            f"dispatch:{name}",
            POSTED,
            lambda s: (s.problem_a,),
            post=writers(*OFFICE, data=lambda s: _reason(s.problem_a)),
            foreign=lambda s: (s.problem_b,),
        )
        for name in ("problem_assign", "problem_verify", "problem_close", "problem_reopen")
    ],
    # feedback is the assigned unit's reporters'
    Row(
        "dispatch:problem_feedback",
        POSTED,
        lambda s: (s.problem_a,),
        post=writers(REPORTER, data=lambda s: _version(s.problem_a) | {"text": "已处理"}),
        foreign=lambda s: (s.problem_b,),
    ),
    Row(
        "dispatch:feedback_attachment",
        EVERYONE,
        lambda s: (s.problem_a, s.feedback_a),
        foreign=lambda s: (s.problem_b, s.feedback_b),
    ),
    Row("dispatch:order_list", EVERYONE, needs=lambda s: (s.order_a, s.order_b)),
    Row("dispatch:order_export", EVERYONE, export=SHOWS_PROJECT_A, needs=lambda s: (s.order_a, s.order_b)),
    Row("dispatch:order_bulletin", EVERYONE, needs=lambda s: (s.order_a, s.order_b)),
    Row("dispatch:order_issue", OFFICE_ONLY, post=writers(*OFFICE)),
    Row("dispatch:order", EVERYONE, lambda s: (s.order_a,), foreign=lambda s: (s.order_b,)),
    # the written response is the addressed unit's (its people who act)
    Row(
        "dispatch:order_respond",
        POSTED,
        lambda s: (s.order_a,),
        post=writers(REPORTER, data=lambda s: {"response": "已说明"}),
        foreign=lambda s: (s.order_b,),
    ),
    Row(
        "dispatch:order_close",
        POSTED,
        lambda s: (s.order_a,),
        post=writers(*OFFICE),
        foreign=lambda s: (s.order_b,),
    ),
    Row("dispatch:meeting_list", EVERYONE, needs=lambda s: (s.meeting_a, s.meeting_b)),
    Row("dispatch:meeting_create", OFFICE_ONLY, post=writers(*OFFICE)),
    # township A's meeting: the office, the units and the leaders invited (not the housing department)
    Row(
        "dispatch:meeting",
        answers((*OFFICE, REPORTER, LEADER, VIEWER), dept_reporter=HIDDEN),
        lambda s: (s.meeting_a,),
        foreign=lambda s: (s.meeting_b,),
        county_wide=ANY_UNIT,
    ),
    *[
        Row(
            f"dispatch:{name}",
            POSTED,
            lambda s: (s.meeting_a,),
            post=writers(*OFFICE),
            foreign=lambda s: (s.meeting_b,),
        )
        for name in ("meeting_minutes", "meeting_add_item")
    ],
    # decided items: the office, and the convening unit's people who act
    Row(
        "dispatch:meeting_decision_add",
        POSTED,
        lambda s: (s.meeting_a,),
        post=writers(*OFFICE, REPORTER),
        foreign=lambda s: (s.meeting_b,),
    ),
    Row(
        "dispatch:meeting_decision_edit",
        answers((*OFFICE, REPORTER), dept_reporter=HIDDEN),
        lambda s: (s.meeting_a, s.decision_a),
        post=writers(*OFFICE, REPORTER),
        foreign=lambda s: (s.meeting_b, s.decision_b),
        county_wide=ANY_UNIT,
    ),
    Row(
        "dispatch:meeting_decision_remove",
        POSTED,
        lambda s: (s.meeting_a, s.decision_a),
        post=writers(*OFFICE, REPORTER, data=lambda s: _reason(s.decision_a)),
        foreign=lambda s: (s.meeting_b, s.decision_b),
    ),
    *[
        Row(
            f"dispatch:{name}",
            answers((*OFFICE, REPORTER, LEADER, VIEWER), dept_reporter=HIDDEN),
            lambda s: (s.meeting_a,),
            foreign=lambda s: (s.meeting_b,),
            export="禾青镇现场调度会",
            needs=lambda s: s.meeting_b,
        )
        for name in ("meeting_agenda_docx", "meeting_minutes_docx")
    ],
    # --- warning lights: March's, computed for the county ---------------------------------------------------
    Row("lights:board", EVERYONE, query={"period": P}, needs=lambda s: s.lights),
    Row(
        "lights:board_export",
        EVERYONE,
        query={"period": P},
        export=SHOWS_PROJECT_A,
        needs=lambda s: s.lights,
    ),
    Row("lights:compute", POSTED, post=writers(*OFFICE)),
    Row("lights:rules", ADMIN_ONLY),
    Row("lights:rules_yaml", ADMIN_ONLY),
    *[
        Row(f"lights:{name}", POSTED, post=writers(ADMIN))
        for name in ("rules_edit", "default_period_edit", "rules_upload")
    ],
    # --- the inbox: each user's own -------------------------------------------------------------------------
    Row("notifications:inbox", EVERYONE, needs=lambda s: (s.notification_a, s.notification_b)),
    Row(
        "notifications:mark_read",
        POSTED,
        lambda s: (s.notification_a,),
        post=writers(REPORTER),
        foreign=lambda s: (s.notification_b,),
    ),
    Row("notifications:mark_all_read", POSTED, post=writers(*STAFF)),
    # --- assessment: the county's township scheme; its tax indicator is led by the housing department -------
    Row("assessment:home", answers(rest=Moved("/assessment/schemes/"))),
    Row("assessment:indicator_list", EVERYONE),
    Row("assessment:indicator_create", OFFICE_ONLY, post=writers(*OFFICE)),
    Row(
        "assessment:indicator_edit",
        OFFICE_ONLY,
        lambda s: (s.indicator,),
        post=writers(*OFFICE),
        foreign=lambda s: (s.indicator_x,),
        foreign_answer=FORBIDDEN,
    ),
    Row("assessment:scheme_list", EVERYONE),
    Row("assessment:scheme_create", OFFICE_ONLY, post=writers(*OFFICE)),
    Row("assessment:scheme_import", POSTED, post=writers(*OFFICE)),
    Row(
        "assessment:scheme_detail",
        EVERYONE,
        lambda s: (s.scheme,),
        foreign=lambda s: (s.scheme_x,),
        county_wide="a scheme assesses the county's townships: it names them all",
    ),
    Row(
        "assessment:scheme_edit",
        OFFICE_ONLY,
        lambda s: (s.scheme,),
        post=writers(*OFFICE),
        foreign=lambda s: (s.scheme_x,),
    ),
    Row(
        "assessment:scheme_go",
        answers(rest=Moved("/assessment/schemes/")),
        lambda s: (s.scheme,),
        foreign=lambda s: (s.scheme_x,),
    ),
    Row("assessment:scheme_export", EVERYONE, lambda s: (s.scheme,), foreign=lambda s: (s.scheme_x,)),
    Row(
        "assessment:scheme_indicator_add",
        OFFICE_ONLY,
        lambda s: (s.scheme,),
        post=writers(*OFFICE),
        foreign=lambda s: (s.scheme_x,),
    ),
    *[
        Row(
            f"assessment:{name}",
            answers_,
            lambda s: (s.scheme, "tax"),
            post=writers(*OFFICE),
            foreign=lambda s: (s.scheme_x, "xtax"),
        )
        for name, answers_ in (("scheme_indicator", OFFICE_ONLY), ("scheme_indicator_remove", POSTED))
    ],
    Row(
        "assessment:items",
        OFFICE_ONLY,
        lambda s: (s.scheme, P),
        post=writers(*OFFICE),
        foreign=lambda s: (s.scheme_x, P),
    ),
    # March's result, computed and not yet published: the office sees every township, a township its own card
    # only
    *[
        Row(
            f"assessment:{name}",
            answers((*OFFICE, REPORTER, VIEWER), rest=HIDDEN),
            lambda s, version=version: (s.results.scheme, P, *version),
            foreign=lambda s, version=version: (s.scheme_x, P, *version),
            export="禾青镇" if name.endswith("export") else "",
        )
        for name, version in (
            ("results", ()),
            ("results_version", (1,)),
            ("results_export", ()),
            ("results_version_export", (1,)),
        )
    ],
    *[
        Row(
            f"assessment:{name}",
            answers((*OFFICE, REPORTER, VIEWER), rest=HIDDEN),
            lambda s, version=version: (s.results.scheme, P, *version, s.town_a),
            foreign=lambda s, version=version: (s.results.scheme, P, *version, s.town_b),
        )
        for name, version in (("card", ()), ("card_version", (1,)))
    ],
    Row(
        "assessment:compute",
        POSTED,
        lambda s: (s.scheme, P),
        post=writers(*OFFICE),
        foreign=lambda s: (s.scheme_x, P),
    ),
    Row(
        "assessment:publish",
        POSTED,
        lambda s: (s.results.scheme, P),
        post=writers(*OFFICE),
        foreign=lambda s: (s.scheme_x, P),
    ),
    Row(
        "assessment:republish",
        POSTED,
        lambda s: (s.published.scheme, "2022-06"),
        post=writers(*OFFICE),
        foreign=lambda s: (s.scheme_x, "2022-06"),
    ),
    # June's result, published: an appeal is raised by the assessed unit's reporter from its card (not by its
    # read-only viewer: gateway.can_appeal), answered by the office.
    Row(
        "assessment:appeal_raise",
        POSTED,
        lambda s: (s.published.scheme, "2022-06", s.town_a),
        post=writers(REPORTER, data=lambda s: {"indicator_code": "tax", "reason": "数据偏低"}),
        foreign=lambda s: (s.scheme_x, "2022-06", s.other.town),
    ),
    Row("assessment:appeal_list", OFFICE_ONLY),
    Row(
        "assessment:appeal_answer",
        POSTED,
        lambda s: (s.appeal_a,),
        post=writers(*OFFICE),
        foreign=lambda s: (s.appeal_b,),
    ),
    # April's tax value of township A, submitted: the office's and the lead unit's (the housing department)
    Row("assessment:value_index", EVERYONE),
    Row(
        "assessment:value_grid",
        answers((*OFFICE, DEPT)),
        lambda s: (s.indicator, P),
        post=writers(*OFFICE, DEPT),
        foreign=lambda s: (s.indicator_x, P),
    ),
    Row(
        "assessment:value_detail",
        answers((*OFFICE, DEPT), rest=HIDDEN),
        lambda s: (s.value_a,),
        foreign=lambda s: (s.value_b,),
    ),
    Row(
        "assessment:value_submit",
        POSTED,
        lambda s: (s.value_a,),
        post=writers(*OFFICE, DEPT, data=lambda s: _version(s.value_a)),
        foreign=lambda s: (s.value_b,),
    ),
    *[
        Row(
            f"assessment:{name}",
            POSTED,
            lambda s: (s.value_a,),
            post=writers(*OFFICE, data=lambda s: _reason(s.value_a)),
            foreign=lambda s: (s.value_b,),
        )
        for name in ("value_approve", "value_return")
    ],
    # May's value, approved: reopened by a role above the reviewer's (gateway.can_unlock)
    Row(
        "assessment:value_unlock",
        POSTED,
        lambda s: (s.approved_value_a,),
        post=writers(ADMIN, data=lambda s: _reason(s.approved_value_a)),
        foreign=lambda s: (s.approved_value_b,),
    ),
    Row(
        "assessment:evidence_upload",
        POSTED,
        lambda s: (s.value_a,),
        post=writers(*OFFICE, DEPT),
        foreign=lambda s: (s.value_b,),
    ),
    Row(
        "assessment:evidence_download",
        answers((*OFFICE, DEPT), rest=HIDDEN),
        lambda s: (s.evidence_a,),
        foreign=lambda s: (s.evidence_b,),
    ),
    Row("assessment:review_queue", OFFICE_ONLY),
    Row("assessment:values_export", OFFICE_ONLY),
    Row("assessment:checklist", EVERYONE),
    Row("assessment:benchmarks", EVERYONE),
    Row("assessment:unit_benchmarks_latest", EVERYONE),
    # June's published result township by township: the office, leaders and viewers compare every township, an
    # assessed township itself; the housing department is not assessed
    Row(
        "assessment:unit_benchmarks",
        answers((*OFFICE, REPORTER, LEADER, VIEWER), dept_reporter=HIDDEN),
        lambda s: (s.published.scheme, "2022-06"),
        foreign=lambda s: (s.scheme_x, "2022-06"),
    ),
    Row("assessment:headline", EVERYONE),
    # reference data, the checklist kind: the office's, and the reporters' of the unit responsible for a row
    Row("assessment:reference_list", answers(OFFICE + REPORTERS), lambda s: ("checklist",)),
    Row(
        "assessment:reference_new",
        answers(OFFICE + REPORTERS),
        lambda s: ("checklist",),
        post=writers(*OFFICE, *REPORTERS),
        county_wide="a checklist row's supporting units are any of the county's",
    ),
    Row(
        "assessment:reference_detail",
        answers((*OFFICE, DEPT), rest=HIDDEN),
        lambda s: ("checklist", s.checklist_a),
        post=writers(*OFFICE, DEPT),
        foreign=lambda s: ("checklist", s.checklist_x),
    ),
    # require_POST comes before login_required here: a GET is 405 for the anonymous visitor too
    Row(
        "assessment:reference_step",
        answers(rest=POST_ONLY, anonymous=POST_ONLY),
        lambda s: ("checklist", s.checklist_a, "submit"),
        post=writers(*OFFICE, DEPT, data=lambda s: _version(s.checklist_a)),
        foreign=lambda s: ("checklist", s.checklist_x, "submit"),
    ),
    # --- imports, the battle map, bulletins, background files -----------------------------------------------
    Row("imports:projects", OFFICE_ONLY, post=writers(*OFFICE)),
    Row("imports:projects_confirm", POSTED, post=writers(*OFFICE)),
    Row("battlemap:page", EVERYONE),
    Row("battlemap:wall", EVERYONE),
    Row("bulletins:new", OFFICE_ONLY, post=writers(*OFFICE)),
    Row("jobs:list", EVERYONE, needs=lambda s: (s.job_a, s.job_b)),
    # a file is its requester's alone (here the reviewer's bulletin), whatever another user's role
    *[
        Row(
            f"jobs:{name}",
            answers((REVIEWER,), rest=HIDDEN),
            lambda s: (s.job_a,),
            foreign=lambda s: (s.job_b,),
        )
        for name in ("detail", "status", "download")
    ],
    # --- enterprises: township A's firm ---------------------------------------------------------------------
    Row("enterprises:list", EVERYONE, needs=lambda s: (s.enterprise_a, s.enterprise_b)),
    Row(
        "enterprises:export",
        EVERYONE,
        export="禾青锑业有限公司",
        needs=lambda s: (s.enterprise_a, s.enterprise_b),
    ),
    Row("enterprises:new", answers(OFFICE + REPORTERS), post=writers(*OFFICE, *REPORTERS)),
    Row("enterprises:request_figures", EVERYONE),
    Row(
        "enterprises:detail",
        answers((*OFFICE, REPORTER, VIEWER), rest=HIDDEN),
        lambda s: (s.enterprise_a,),
        foreign=lambda s: (s.enterprise_b,),
    ),
    *[
        Row(
            f"enterprises:{name}",
            answers((*OFFICE, REPORTER), rest=HIDDEN, viewer=FORBIDDEN),
            lambda s: (s.enterprise_a,),
            post=writers(*OFFICE, REPORTER),
            foreign=lambda s: (s.enterprise_b,),
        )
        for name in ("edit", "request_raise")
    ],
    Row(
        "enterprises:figures",
        POSTED,
        lambda s: (s.enterprise_a,),
        post=writers(*OFFICE, REPORTER),
        foreign=lambda s: (s.enterprise_b,),
    ),
    # --- chains: the county's antimony chain (another county's is the foreign one) --------------------------
    Row("chains:list", EVERYONE),
    Row("chains:list", EVERYONE, query={"format": "xlsx"}, export="锑产业链", needs=lambda s: s.chain_a),
    Row("chains:mine", answers(rest=Moved("/chains/"), leader=Moved("/chains/chief/"))),
    Row("chains:detail", EVERYONE, lambda s: (s.chain_a,), foreign=lambda s: (s.chain_x,)),
    Row(
        "chains:edit",
        OFFICE_ONLY,
        lambda s: (s.chain_a,),
        post=writers(*OFFICE),
        foreign=lambda s: (s.chain_x,),
    ),
    Row(
        "chains:part_add",
        OFFICE_ONLY,
        lambda s: (s.chain_a, "target"),
        post=writers(*OFFICE),
        foreign=lambda s: (s.chain_x, "target"),
    ),
    *[
        Row(
            f"chains:{name}",
            OFFICE_ONLY,
            lambda s: (s.chain_a, "target", s.part(s.chain_a)),
            post=writers(*OFFICE),
            foreign=lambda s: (s.chain_x, "target", s.part(s.chain_x)),
        )
        for name in ("part_edit", "part_delete")
    ],
    Row("chains:chief", EVERYONE, lambda s: (s.leader,), foreign=lambda s: (s.other.leader,)),
    # --- investment attraction: township A's lead -----------------------------------------------------------
    Row("attraction:list", EVERYONE, needs=lambda s: (s.lead_a, s.lead_b)),
    Row("attraction:export", EVERYONE, export="禾青镇锑新材料项目", needs=lambda s: (s.lead_a, s.lead_b)),
    Row("attraction:create", OFFICE_ONLY, post=writers(*OFFICE)),
    Row("attraction:performance", EVERYONE, needs=lambda s: (s.lead_a, s.lead_b)),
    Row(
        "attraction:detail",
        answers((*OFFICE, REPORTER, VIEWER), rest=HIDDEN),
        lambda s: (s.lead_a,),
        foreign=lambda s: (s.lead_b,),
    ),
    Row(
        "attraction:edit",
        answers(OFFICE, rest=HIDDEN, reporter=FORBIDDEN, viewer=FORBIDDEN),
        lambda s: (s.lead_a,),
        post=writers(*OFFICE),
        foreign=lambda s: (s.lead_b,),
    ),
    Row(
        "attraction:step",
        POSTED,
        lambda s: (s.lead_a, "lead.negotiate"),
        post=writers(*OFFICE),
        foreign=lambda s: (s.lead_b, "lead.negotiate"),
    ),
    Row(
        "attraction:convert",
        POSTED,
        lambda s: (s.lead_a,),
        post=writers(*OFFICE),
        foreign=lambda s: (s.lead_b,),
    ),
    # follow-ups and funds in place: the office, and the responsible unit's reporters
    *[
        Row(
            f"attraction:{name}",
            POSTED,
            lambda s: (s.lead_a,),
            post=writers(*OFFICE, REPORTER),
            foreign=lambda s: (s.lead_b,),
        )
        for name in ("follow_up", "funds")
    ],
    # --- the reserve pipeline: project A's tier, its funding application ------------------------------------
    Row("reserve:depth", EVERYONE),
    # counts per tier and category, no project named: the file is township A's (its header names it)
    Row("reserve:depth", EVERYONE, query={"export": "xlsx"}, export="禾青镇"),
    Row("reserve:rules", OFFICE_ONLY),
    Row("reserve:rule_edit", OFFICE_ONLY, lambda s: ("rolling", "industry"), post=writers(*OFFICE)),
    Row("reserve:gate_edit", OFFICE_ONLY, lambda s: ("rolling",), post=writers(*OFFICE)),
    *[
        Row(
            f"reserve:{name}",
            OFFICE_ONLY,
            lambda s: (s.project_a,),
            post=writers(*OFFICE),
            foreign=lambda s: (s.project_b,),
        )
        for name in ("tier", "application_new")
    ],
    Row("reserve:applications", EVERYONE, needs=lambda s: (s.application_a, s.application_b)),
    Row(
        "reserve:applications",
        EVERYONE,
        query={"export": "xlsx"},
        export=SHOWS_PROJECT_A,
        needs=lambda s: (s.application_a, s.application_b),
    ),
    Row("reserve:application", EVERYONE, lambda s: (s.application_a,), foreign=lambda s: (s.application_b,)),
    Row(
        "reserve:application_edit",
        OFFICE_ONLY,
        lambda s: (s.application_a,),
        post=writers(*OFFICE),
        foreign=lambda s: (s.application_b,),
    ),
    Row(
        "reserve:application_step",
        OFFICE_ONLY,
        lambda s: (s.application_a, "submit"),
        post=writers(*OFFICE),
        foreign=lambda s: (s.application_b, "submit"),
    ),
    # --- the JSON API: every operation answers every signed-in persona (what each reads is the gateway's:
    # no name of township B for township A's reporter), 401 the anonymous visitor; the schema and its docs
    # page are pages ----------------------------------------------------------------------------------------
    Row("api:api-root", answers(rest=HIDDEN, anonymous=HIDDEN)),
    Row("api:openapi-json", EVERYONE),
    Row("api:openapi-view", EVERYONE),
    Row("api:summary", API, operation="GET /api/v1/investment/summary"),
    Row("api:project_list", API, operation="GET /api/v1/projects/"),
    Row(
        "api:project_detail",
        API,
        lambda s: (s.project_a,),
        foreign=lambda s: (s.project_b,),
        operation="GET /api/v1/projects/{project_id}",
    ),
    Row("api:battlemap", API, operation="GET /api/v1/battlemap"),
    Row("api:lights", API, query={"period": P}, operation="GET /api/v1/lights", needs=lambda s: s.lights),
    Row(
        "api:problem_list",
        API,
        operation="GET /api/v1/dispatch/problems",
        needs=lambda s: (s.problem_a, s.problem_b),
    ),
    Row(
        "api:order_list",
        API,
        operation="GET /api/v1/dispatch/orders",
        needs=lambda s: (s.order_a, s.order_b),
    ),
    Row(
        "api:enterprise_list",
        API,
        operation="GET /api/v1/enterprises",
        needs=lambda s: (s.enterprise_a, s.enterprise_b),
    ),
    Row("api:leads", API, operation="GET /api/v1/attraction/leads", needs=lambda s: (s.lead_a, s.lead_b)),
    # --- Django's admin is for staff accounts (is_staff) and no persona is one: each is sent to the admin's
    # own login. Its other patterns (model pages, its login, logout and password pages, jsi18n) are Django's,
    # behind the same check, and have no rows (test_authorization_matrix._skipped) ---------------------------
    Row("admin:index", answers(rest=Moved("/admin/login/"), anonymous=Moved("/admin/login/"))),
]
