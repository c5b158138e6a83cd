"""The demo's warning lights and three-tier dispatch, written through the services (which audit and notify).

Lights: the county's warning rules from lights-rules.yaml (set by its city administrator in January), and
the lights of January to March 2022 computed as of 11 April 2022 (the March reports approved, before the first
meeting that reads them), so that they are the same on every load.

Dispatch: March and April 2022 replayed in order of time, each service told the moment it acts at, and the
app's clock set to that day (dates.as_on) for what it dates itself (notifications, minutes). A land problem of
the provincial project is raised at the responsible leader's tier in March, misses its deadline, goes up to the
principal leaders and misses that one too; the March reports are approved in the first days of April, and
problems are raised from them and assigned; units give feedback; the office verifies and closes; a closed
problem is reopened; the scheduled task runs every night (`guatu escalate`) and moves the problems past their
deadline up a tier; a supervision order goes out and is not answered; three dispatch meetings (one per tier)
record minutes and a decided item each. The story ends on the demo's day, 24 April 2022 (data.DEMO_DAY):
one problem is overdue at the top tier and the order unanswered past its deadline; a few problems are due in
the next days (one today); the others are due in May.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.utils import timezone

from guatu.accounts.models import User
from guatu.demo import data
from guatu.demo.dates import as_on, d, moment
from guatu.dispatch.models import Meeting, Problem, SupervisionOrder
from guatu.dispatch.services import (
    DUE_SOON_DAYS,
    escalate_overdue_problems,
    meeting_create,
    meeting_record_minutes,
    notify_due_soon,
    problem_assign,
    problem_close,
    problem_feedback,
    problem_raise,
    problem_reopen,
    problem_verify,
    supervision_issue,
)
from guatu.lib.periods import Period
from guatu.lights.services import lights_compute_year, rules_from_yaml, rules_set
from guatu.orgs.models import Leader, OrgUnit
from guatu.projects.models import IndustryChain, Project
from guatu.reports.models import MonthlyReport

RULES_FILE = Path(__file__).resolve().parent / "lights-rules.yaml"
LIGHTS_PERIOD = Period(2022, 3)
PV = "娄底市生态治理光伏项目"
TODAY = data.DEMO_DAY  # the story ends on the demo's day
NIGHTLY_FROM = date(2022, 3, 10)  # the scheduled task's runs replayed: every night from here to TODAY


def lights_at() -> datetime:
    """The lights are computed as of 11 April 2022: March's reports are approved (by 10 April), and the
    dispatch meetings from 12 April on read them."""
    return moment(d(4, 11), 8)


@dataclass(frozen=True)
class Story:
    """One problem's life. Units by short or area name, people by staff username, days in 2022."""

    description: str
    category: str
    raised_by: str
    raised: date
    project: str = ""
    chain: str = ""  # chain key (data.CHAINS)
    from_report: bool = False  # raised from the project's March report
    tier: int = 1
    unit: str = ""  # assigned to (交办) on `raised`
    deadline: date | None = None
    outcome: str = ""
    feedback_by: str = ""
    feedback: str = ""
    feedback_on: date | None = None
    verified: date | None = None
    closed: date | None = None
    reopened: date | None = None
    reopen_reason: str = ""
    new_deadline: date | None = None  # assigned again when reopened


STORIES = [
    # Raised yesterday from a township's March report; not yet assigned.
    Story(
        "渣渡镇中心学校改扩建项目教学综合楼主体已封顶，但省级薄弱学校改造补助资金尚有860万元未下达，施工单位垫资"
        "困难，存在停工风险。",
        "funds",
        "demo_zhadu",
        d(4, 23),
        project="渣渡镇中心学校改扩建项目",
        from_report=True,
    ),
    # Assigned to the street, in time.
    Story(
        "城区黑臭水体整治工程新华河段截污管线红线内尚有3户房屋未签订征收补偿协议，截污干管无法贯通。",
        "demolition",
        "demo_office",
        d(4, 11),
        project="城区黑臭水体整治工程",
        from_report=True,
        unit="冷水江街道",
        deadline=d(5, 10),
        outcome="完成3户房屋征收补偿协议签订并交付施工场地。",
    ),
    # In hand: the zone reports what it has done; due in two days (the reminder went out last night).
    Story(
        "汽车及风电紧固件精密锻造生产线项目施工用电尚未接入，10千伏专线用电报装受理已40天未批复，影响设备安装调试。",
        "utilities",
        "demo_jingkai",
        d(4, 11),
        project="汽车及风电紧固件精密锻造生产线项目",
        from_report=True,
        unit="冷水江经济开发区",
        deadline=d(4, 26),
        outcome="协调国网冷水江市供电公司完成10千伏专线接电，保障设备按期调试。",
        feedback_by="demo_jingkai",
        feedback="已会同国网冷水江市供电公司现场踏勘，专线接入方案已审定，临时施工用电已接通；永久用电线路正在架设，"
        "预计4月26日送电。",
        feedback_on=d(4, 20),
    ),
    # Tier 2, handled and verified, waiting to be closed.
    Story(
        "锡矿山矿区复绿及地质灾害治理项目环境影响评价报告书尚未批复，影响二期工程招标。",
        "approvals",
        "demo_office",
        d(4, 11),
        project="锡矿山矿区复绿及地质灾害治理项目",
        from_report=True,
        tier=2,
        unit="生态环境分局",
        deadline=d(4, 22),
        outcome="完成环评报告书技术评审并出具批复文件。",
        feedback_by="demo_huanjing",
        feedback="环评报告书已于4月18日通过专家技术评审，批复文件已印发，二期工程可启动招标。",
        feedback_on=d(4, 19),
        verified=d(4, 21),
    ),
    # Closed on time (销号).
    Story(
        "冷水江市第一中学新校区建设项目资金到位不足，一季度应到位资金1.2亿元，实际到位6500万元，资金缺口5500万元。",
        "funds",
        "demo_office",
        d(4, 11),
        project="冷水江市第一中学新校区建设项目",
        from_report=True,
        unit="市财政局",
        deadline=d(4, 20),
        outcome="落实专项债券及配套资金，保障工程款按进度支付。",
        feedback_by="demo_caizheng",
        feedback="已调度地方政府专项债券资金3000万元、市本级配套资金2500万元拨付到位，资金缺口已解决。",
        feedback_on=d(4, 15),
        verified=d(4, 18),
        closed=d(4, 19),
    ),
    # Closed, then reopened and assigned again: back in hand.
    Story(
        "保障性租赁住房建设项目红线内尚有2户房屋未完成征收腾退，影响3号楼基础施工。",
        "demolition",
        "demo_office",
        d(3, 22),
        project="保障性租赁住房建设项目",
        unit="沙塘湾街道",
        deadline=d(4, 8),
        outcome="完成2户房屋征收腾退，交付施工场地。",
        feedback_by="demo_shatangwan",
        feedback="2户均已签订征收补偿协议，补偿款已足额支付。",
        feedback_on=d(4, 1),
        verified=d(4, 2),
        closed=d(4, 6),
        reopened=d(4, 19),
        reopen_reason="复核发现其中1户签约后仍未腾房，施工单位仍无法进场，重新交办。",
        new_deadline=d(4, 30),
    ),
    # Missed at tier 1: the 14 April run moved it to the responsible leader (黄志刚), due today.
    Story(
        "城区燃气管网及老旧管网更新改造工程新华路段涉及通信、电力管线迁改，产权单位迟迟未出具迁改方案，燃气主管"
        "无法贯通。",
        "utilities",
        "demo_office",
        d(4, 8),
        project="城区燃气管网及老旧管网更新改造工程",
        unit="市住建局",
        deadline=d(4, 13),
        outcome="协调电信、移动、联通及供电公司出具迁改方案并完成迁改。",
    ),
    # Missed at tier 2: escalated to the principal leaders on 26 March, missed again on 10 April: overdue.
    Story(
        "娄底市生态治理光伏项目220千伏升压站用地涉及永久基本农田调整，用地预审尚未通过，送出线路无法开工。",
        "land",
        "demo_office",
        d(3, 14),
        project=PV,
        tier=2,
        unit="市自然资源局",
        deadline=d(3, 25),
        outcome="完成永久基本农田调整补划论证，报省自然资源厅完成用地预审。",
    ),
    # An industry chain's problem at tier 3, in hand.
    Story(
        "锑冶炼企业环保提标改造资金缺口约1.2亿元，企业融资困难，影响锡矿山冶炼烟气综合治理等项目推进。",
        "funds",
        "demo_office",
        d(4, 11),
        chain="antimony",
        tier=3,
        unit="市科工信局",
        deadline=d(5, 20),
        outcome="争取省级产业发展基金和政策性银行贷款，解决企业提标改造资金缺口。",
        feedback_by="demo_kegongxin",
        feedback="已对接湖南省财信产业基金和国家开发银行湖南省分行，初步达成8000万元融资意向，剩余缺口正在协调。",
        feedback_on=d(4, 22),
    ),
]


@dataclass(frozen=True)
class OrderStory:
    project: str
    addressee: str
    requirement: str
    issued: date
    deadline: date


ORDER = OrderStory(
    project=PV,
    addressee="市自然资源局",
    requirement="就娄底市生态治理光伏项目升压站用地报批滞后问题作出书面说明：列明永久基本农田调整补划、用地预审、"
    "农用地转用报批的时间节点和责任人，逾期未办结的说明原因。",
    issued=d(4, 12),  # after the problem missed its deadline at the principal leaders' tier
    deadline=d(4, 20),  # no answer yet: overdue on the supervision bulletin
)


@dataclass(frozen=True)
class MeetingStory:
    tier: int
    day: date
    title: str
    minutes: str
    decided: Story
    convenor: str = ""  # leader key
    convenor_unit: str = ""
    attendees: tuple[str, ...] = ()  # leader keys
    attendee_units: tuple[str, ...] = ()


MEETINGS = [
    MeetingStory(
        tier=1,
        day=d(4, 12),
        title="城区燃气管网及老旧管网更新改造工程现场调度会",
        convenor_unit="市住建局",
        attendee_units=("冷水江街道", "市城管局"),
        minutes="会议听取了施工单位关于新华路段燃气主管施工进度的汇报，现场查看了管线迁改节点。会议议定：冷水江街道"
        "负责沿街商户燃气管道改线入户协调；市城管局负责占道施工审批；市住建局每周调度一次。",
        decided=Story(
            "冷水江街道负责，完成新华路段沿街12户商户燃气管道改线的入户协调。",
            "other",
            "demo_office",
            d(4, 12),
            project="城区燃气管网及老旧管网更新改造工程",
            unit="冷水江街道",
            deadline=d(4, 27),
            outcome="12户商户全部签字同意改线方案。",
        ),
    ),
    MeetingStory(
        tier=2,
        day=d(4, 18),
        title="城建领域重点项目协调调度会",
        convenor="urban",
        attendee_units=("市住建局", "市交通局", "市自然资源局", "冷水江街道", "市城管局"),
        minutes="黄志刚副市长主持会议，逐个听取城区东环线、燃气管网改造、黑臭水体整治等项目的问题汇报。会议要求"
        "各责任单位对照交办清单倒排工期，用地、拆迁问题由属地和自然资源部门限时办结，逾期未办结的提交主要领导"
        "集中调度。",
        decided=Story(
            "市自然资源局负责，完成城区东环线道路建设工程剩余38亩用地组卷报批。",
            "land",
            "demo_office",
            d(4, 18),
            project="城区东环线道路建设工程",
            tier=2,
            unit="市自然资源局",
            deadline=d(5, 6),
            outcome="用地组卷材料报娄底市自然资源和规划局审查。",
        ),
    ),
    MeetingStory(
        tier=3,
        day=d(4, 21),
        title="全市重点项目建设集中调度会（2022年第一季度）",
        convenor="secretary",
        attendees=("mayor", "executive", "zone", "resources", "urban", "social", "rural"),
        attendee_units=("市发改局", "市自然资源局", "市科工信局", "冷水江经济开发区", "生态环境分局"),
        minutes="周正阳书记主持会议。1-3月，省重点项目完成投资4.7亿元，为年度计划的20%；33个娄底市重点项目完成"
        "投资8.3亿元，为年度计划的17.36%；177个市本级重点项目完成投资15.3亿元，为年度计划的15.1%。会议逐项"
        "研究了光伏项目升压站用地、锑冶炼企业提标改造资金等责任领导层面未能解决的问题，对红黄榜项目提出限期"
        "整改要求。",
        decided=Story(
            "市发改局牵头，会同市自然资源局和国网冷水江市供电公司，审定娄底市生态治理光伏项目送出线路路径方案。",
            "approvals",
            "demo_office",
            d(4, 21),
            project=PV,
            tier=3,
            unit="市发改局",
            deadline=d(5, 20),
            outcome="送出线路路径方案经市政府专题会审定。",
        ),
    ),
]


@dataclass(frozen=True)
class DispatchCounts:
    problems: int
    orders: int
    meetings: int


def load_lights(*, root: OrgUnit, by: User) -> int:
    with as_on(data.SETUP_DAY):
        rules_set(unit=root, rules=rules_from_yaml(RULES_FILE.read_text(encoding="utf-8")), by=by)
    at = lights_at()
    with as_on(timezone.localtime(at).date()):
        return lights_compute_year(unit=root, period=LIGHTS_PERIOD, at=at)


class _Replay:
    """Events in order of time; the scheduled task's nightly run before each day's events."""

    def __init__(self, units: dict[str, OrgUnit], leaders: dict[str, Leader], staff: dict[str, User], root):
        self.units, self.leaders, self.staff = units, leaders, staff
        self.office = staff["demo_office"]
        self.events: list[tuple[datetime, int, Callable[[], None]]] = []
        self.problems: dict[int, Problem] = {}  # by story id
        self.meetings: dict[int, Meeting] = {}
        self.chains = {c.name: c for c in IndustryChain.objects.filter(lead_unit__path__startswith=root.path)}
        names = {s.project for s in STORIES} | {m.decided.project for m in MEETINGS} | {ORDER.project}
        self.projects = {p.name: p for p in Project.objects.in_unit(root).filter(name__in=names - {""})}

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        self.events.append((when, len(self.events), action))

    def run(self) -> None:
        day = NIGHTLY_FROM
        while day <= TODAY:
            midnight = moment(day, 0, 0)
            self.at(midnight, lambda when=midnight: self.nightly(when))
            day += timedelta(days=1)
        for when, _seq, action in sorted(self.events, key=lambda e: (e[0], e[1])):
            with as_on(timezone.localtime(when).date()):
                action()

    def nightly(self, when: datetime) -> None:
        """`guatu escalate` as the scheduled task runs it; skipped if it would touch problems not the demo's."""
        ours = [p.pk for p in self.problems.values()]
        soon = timezone.localtime(when).date() + timedelta(days=DUE_SOON_DAYS)
        if Problem.objects.open().filter(deadline__lte=soon).exclude(pk__in=ours).exists():
            return
        escalate_overdue_problems(at=when)
        notify_due_soon(at=when)

    # ---- the stories

    def story(self, key: int, s: Story, meeting_key: int | None = None) -> None:
        self.at(moment(s.raised, 9, 30), lambda: self._raise(key, s, meeting_key))
        if s.unit:
            self.at(
                moment(s.raised, 10, 30), lambda: self._assign(key, s.unit, s.deadline, s.outcome, s.raised)
            )
        if s.feedback:
            self.at(moment(s.feedback_on, 15), lambda: self._feedback(key, s))
        if s.verified:
            self.at(moment(s.verified, 16), lambda: self._review(key, problem_verify, moment(s.verified, 16)))
        if s.closed:
            self.at(
                moment(s.closed, 16, 30), lambda: self._review(key, problem_close, moment(s.closed, 16, 30))
            )
        if s.reopened:
            self.at(
                moment(s.reopened, 11),
                lambda: self._review(key, problem_reopen, moment(s.reopened, 11), reason=s.reopen_reason),
            )
            self.at(
                moment(s.reopened, 11, 30),
                lambda: self._assign(key, s.unit, s.new_deadline, s.outcome, s.reopened),
            )

    def _set(self, key: int, problem: Problem) -> None:
        self.problems[key] = problem

    def _now(self, key: int) -> Problem:
        """The problem as a person opening its page reads it now (the nightly escalation may have moved it)."""
        self.problems[key] = Problem.objects.get(pk=self.problems[key].pk)
        return self.problems[key]

    def _review(self, key: int, service, at: datetime, **extra) -> None:
        """The office verifies, closes or reopens the problem on the page it has just opened."""
        problem = self._now(key)
        self.problems[key] = service(
            problem=problem, expected_version=problem.version, by=self.office, at=at, **extra
        )

    def _raise(self, key: int, s: Story, meeting_key: int | None) -> None:
        project = self.projects[s.project] if s.project else None
        report = None
        if s.from_report:
            report = MonthlyReport.objects.get(
                project=project, year=LIGHTS_PERIOD.year, month=LIGHTS_PERIOD.month
            )
        chain = self.chains[next(c.name for c in data.CHAINS if c.key == s.chain)] if s.chain else None
        self.problems[key] = problem_raise(
            description=s.description,
            category=s.category,
            by=self.staff[s.raised_by],
            project=None if report else project,
            chain=chain,
            report=report,
            meeting=self.meetings.get(meeting_key) if meeting_key is not None else None,
            tier=s.tier,
            at=moment(s.raised, 9, 30),
        )

    def _assign(self, key: int, unit: str, deadline: date, outcome: str, day: date) -> None:
        self.problems[key] = problem_assign(
            problem=self._now(key),
            expected_version=self.problems[key].version,
            unit=self.units[unit],
            deadline=deadline,
            required_outcome=outcome,
            by=self.office,
            at=moment(day, 10, 30),
        )

    def _feedback(self, key: int, s: Story) -> None:
        problem_feedback(
            problem=self._now(key),
            expected_version=self.problems[key].version,
            text=s.feedback,
            by=self.staff[s.feedback_by],
            at=moment(s.feedback_on, 15),
        )

    # ---- the order and the meetings

    def order(self, key: int, o: OrderStory) -> None:
        def issue():
            supervision_issue(
                project=self.projects[o.project],
                addressee=self.units[o.addressee],
                requirement=o.requirement,
                deadline=o.deadline,
                by=self.office,
                problem=self.problems[key],
                at=moment(o.issued, 14),
            )

        self.at(moment(o.issued, 14), issue)

    def meeting(self, key: int, m: MeetingStory) -> None:
        def hold():
            meeting = meeting_create(
                tier=m.tier,
                date=m.day,
                title=m.title,
                by=self.office,
                convenor=self.leaders[m.convenor] if m.convenor else None,
                convenor_unit=self.units[m.convenor_unit] if m.convenor_unit else None,
                attendees=[self.leaders[k] for k in m.attendees],
                attendee_units=[self.units[name] for name in m.attendee_units],
                at=moment(m.day, 9),
            )
            self.meetings[key] = meeting_record_minutes(meeting=meeting, minutes=m.minutes, by=self.office)

        self.at(moment(m.day, 9), hold)
        self.story(1000 + key, m.decided, meeting_key=key)


def load_dispatch(
    *, root: OrgUnit, units: dict[str, OrgUnit], leaders: dict[str, Leader], staff: dict[str, User]
) -> DispatchCounts:
    replay = _Replay(units, leaders, staff, root)
    for key, story in enumerate(STORIES):
        replay.story(key, story)
    replay.order(next(k for k, s in enumerate(STORIES) if s.project == ORDER.project), ORDER)
    for key, m in enumerate(MEETINGS):
        replay.meeting(key, m)
    replay.run()
    office = staff["demo_office"]
    return DispatchCounts(
        problems=len(replay.problems),
        orders=SupervisionOrder.objects.filter(issued_by=office).count(),
        meetings=Meeting.objects.filter(created_by=office).count(),
    )
