"""Taking an office's dispatch table (调度表) into the project library.

Every row is checked first (units, leaders, codes, amounts, two rows for one project, a locked month) and
every problem is reported by sheet, row and column; if there is any, nothing is written. Otherwise the rows go
through the library's own services in one transaction: `project_create`, `project_update`,
`project_change_stage`, `annual_plan_set` and `report_set_opening` (the year-to-date completed investment as
the month's approved opening figure). Each row runs in a savepoint so that a refusal by a service is reported
against its row like any other problem, and the whole import is rolled back. A dry run does the same and rolls
back at the end, so what it lists is exactly what the real run writes.

Importing a file that changes nothing writes nothing: no project, report or plan is touched, and no import
record or audit event is kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guatu import clock
from guatu.access import gateway
from guatu.audit import events
from guatu.imports.dispatch_table import (
    Problem,
    Row,
    Sheet,
    category_of,
    person_name,
    read_workbook,
    split_units,
    stage_of,
)
from guatu.imports.models import ProjectImport
from guatu.lib.periods import Period
from guatu.orgs.models import Leader, OrgUnit
from guatu.orgs.services import find_unit_by_name
from guatu.projects.models import AnnualPlan, LevelTag, Project, Stage, Tier
from guatu.projects.services import (
    ProjectInput,
    annual_plan_set,
    find_duplicate,
    project_change_stage,
    project_code_error,
    project_create,
    project_input,
    project_update,
)
from guatu.reports.services import opening_check, report_set_opening
from guatu.web.workbooks import open_workbook

# A service's error on a field is reported under the sheet's column for it.
FIELD_COLUMNS = {
    "code": "code",
    "name": "name",
    "owner": "owner",
    "scope": "scope",
    "start_year": "years",
    "end_year": "years",
    "total_investment": "total",
    "location_unit": "location",
    "lead_unit": "lead_unit",
    "support_units": "lead_unit",
    "responsible_leader": "leader",
    "category": "category",
    "stage": "nature",
    "amount": "plan",
    "year": "plan",
    "period": "ytd",
}
# The project fields a sheet may set, with the ProjectInput attribute each is compared on.
SHEET_FIELDS = (
    "code",
    "name",
    "category",
    "location_unit",
    "owner",
    "scope",
    "start_year",
    "end_year",
    "total_investment",
    "responsible_leader",
    "lead_unit",
    "support_units",
    "tags",
)


@dataclass
class RowOutcome:
    """What the import does, or would do, with one row of the sheet."""

    sheet: str
    row: int
    name: str
    action: str  # created, updated, unchanged
    changed: list[str] = field(default_factory=list)  # Chinese labels of what changes
    project_id: int | None = None


@dataclass
class ImportResult:
    file_name: str
    sha256: str
    period: Period | None
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    record: ProjectImport | None = None

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ("created", "updated", "unchanged")}

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "period": str(self.period) if self.period else None,
            "dry_run": self.dry_run,
            **self.counts,
            "rows": [
                {"sheet": r.sheet, "row": r.row, "name": r.name, "action": r.action, "changed": r.changed}
                for r in self.rows
            ],
            "errors": [
                {"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message}
                for p in self.problems
            ],
        }


class _Rollback(Exception):
    pass


@dataclass
class _Planned:
    """A row resolved against the library: the project's input, the existing project if any, and figures."""

    sheet: Sheet
    row: Row
    data: ProjectInput | None
    existing: Project | None
    stage: str | None
    plan: Decimal | None
    ytd: Decimal | None


def import_jurisdiction(by, unit: OrgUnit | None = None) -> OrgUnit:
    """The library an import goes into: the importer's own (a reviewer's or city administrator's), or for a
    superuser without a unit the jurisdiction named. PermissionDenied for anyone else."""
    if not gateway.can_maintain_library(by):
        raise PermissionDenied(_("Only reviewers and city administrators import into the project library."))
    root = gateway.library_root(by)
    if unit is None:
        if root is None:
            raise ValidationError(_("Say which county, prefecture or province the table is for."))
        return root
    unit = gateway.jurisdiction(unit)
    if root is not None and unit != root:
        raise PermissionDenied(_("You may not import into the library of %(unit)s.") % {"unit": unit.name})
    return unit


def projects_import(
    *,
    data: bytes,
    file_name: str,
    by,
    jurisdiction: OrgUnit | None = None,
    period: Period | None = None,
    tags: list[LevelTag] | tuple = (),
    dry_run: bool = False,
) -> ImportResult:
    """Check a dispatch table and, unless `dry_run` or a problem is found, import it in one transaction.

    Raises WorkbookRefused (a ValidationError) for a file that is not a workbook Guatu opens, PermissionDenied
    for someone who may not import; every other problem is in the result, by sheet, row and column."""
    county = import_jurisdiction(by, jurisdiction)
    sha256 = hashlib.sha256(data).hexdigest()
    workbook = open_workbook(data, name=file_name)
    sheets = read_workbook(workbook)
    result = ImportResult(file_name=file_name, sha256=sha256, period=period, dry_run=dry_run)
    result.problems = [p for sheet in sheets for p in sheet.problems]
    result.period = _period(sheets, period, result.problems)
    if not any(sheet.rows for sheet in sheets) and not result.problems:
        result.problems.append(Problem("", None, "", _("The file has no sheet with project rows.")))
    if result.period is None:
        return result
    planned = _Resolver(county, result.period, list(tags), result.problems).plan(sheets)
    if result.problems:
        return result
    try:
        with transaction.atomic():
            for item in planned:
                _apply(item, result, by=by, period=result.period, file_name=file_name)
            if result.problems:
                raise _Rollback
            if result.count("created") or result.count("updated"):
                result.record = _record(result, county=county, by=by)
            if dry_run:
                raise _Rollback
    except _Rollback:
        result.record = None
        if result.problems:
            result.rows = []
    return result


def _period(sheets: list[Sheet], given: Period | None, problems: list[Problem]) -> Period | None:
    if not any(sheet.rows for sheet in sheets):
        return given
    if given is None:
        found = {sheet.period for sheet in sheets if sheet.rows}
        if None in found or not found:
            sheet = next((s for s in sheets if s.rows and s.period is None), None)
            problems.append(
                Problem(
                    sheet.name if sheet else "",
                    None,
                    "",
                    _(
                        "The month of the table is not written in its title (such as 2022年1-3月) or its 填报时间: "
                        "choose it."
                    ),
                )
            )
            return None
        if len(found) > 1:
            problems.append(
                Problem(
                    "",
                    None,
                    "",
                    _("The sheets are for different months (%(months)s): import one month at a time.")
                    % {"months": "、".join(sorted(str(p) for p in found))},
                )
            )
            return None
        given = found.pop()
    if given > Period.of(clock.today()):
        problems.append(Problem("", None, "", _("Month %(period)s has not come yet.") % {"period": given}))
        return None
    return given


class _Resolver:
    """Turns sheet rows into project inputs: units and leaders by name within the jurisdiction, the existing
    project by code or name. Each lookup is made once per distinct name."""

    def __init__(self, county: OrgUnit, period: Period, tags: list[LevelTag], problems: list[Problem]):
        self.county = county
        self.period = period
        self.tags = tags
        self.problems = problems
        self._units: dict[str, OrgUnit | None] = {}
        self._leaders: dict[str, Leader | None] = {}

    def plan(self, sheets: list[Sheet]) -> list[_Planned]:
        planned = []
        seen_codes: dict[str, Row] = {}
        seen_names: dict[str, Row] = {}
        for sheet in sheets:
            for row in sheet.rows:
                item = self._row(sheet, row)
                code, name = row.get("code"), row.get("name", "")
                first = (code and seen_codes.get(code)) or seen_names.get(name)
                if first is not None:
                    self._problem(
                        sheet,
                        row,
                        "code" if code and code in seen_codes else "name",
                        _("This project is already in %(sheet)s row %(row)s: one row per project.")
                        % {"sheet": first.sheet, "row": first.number},
                    )
                if code:
                    seen_codes.setdefault(code, row)
                seen_names.setdefault(name, row)
                if item is not None:
                    planned.append(item)
        return planned

    def _problem(self, sheet: Sheet, row: Row, column: str, message: str) -> None:
        self.problems.append(Problem(sheet.name, row.number, sheet.header_of(column) or column, message))

    def unit(self, name: str) -> OrgUnit | None:
        if name not in self._units:
            self._units[name] = find_unit_by_name(name, within=self.county)
        return self._units[name]

    def location(self, text: str) -> OrgUnit | None:
        """建设地点 names a unit (禾青镇), or starts with one (禾青镇石坪村)."""
        unit = self.unit(text)
        if unit is None:
            for length in range(len(text) - 1, 1, -1):
                unit = self.unit(text[:length])
                if unit is not None:
                    break
        return unit

    def leader(self, name: str) -> Leader | None:
        if name not in self._leaders:
            self._leaders[name] = (
                Leader.objects.filter(name=name, org_unit__path__startswith=self.county.path)
                .order_by("sort_order", "id")
                .first()
            )
        return self._leaders[name]

    def _row(self, sheet: Sheet, row: Row) -> _Planned | None:
        before = len(self.problems)
        if any(p.sheet == sheet.name and p.row == row.number for p in self.problems):
            before = -1  # the sheet already found a problem in this row: check the rest, write nothing

        def problem(column: str, message: str) -> None:
            self._problem(sheet, row, column, message)

        name = row.get("name", "")
        code = row.get("code")
        if code:
            error = project_code_error(code)
            if error:
                problem("code", error)
        if len(name) > Project._meta.get_field("name").max_length:
            problem("name", _("The project name is too long."))
        existing = find_duplicate(
            code=code if code and not project_code_error(code) else None, name=name, county=self.county
        )
        if existing is not None and not (
            existing.location_unit.is_within(self.county) or existing.lead_unit.is_within(self.county)
        ):
            problem(
                "code", _("Project code %(code)s belongs to a project of another county.") % {"code": code}
            )
            existing = None
        if existing is not None and existing.stage == Stage.CANCELLED:
            problem(
                "name", _("%(name)s is cancelled in the library: restore it first.") % {"name": existing.name}
            )
        base = project_input(existing) if existing is not None else None

        units = split_units(row.get("lead_unit", ""))
        support_names = units[1:] + split_units(row.get("support_units", ""))
        lead = support = None
        if units:
            lead = self.unit(units[0])
            if lead is None:
                problem(
                    "lead_unit",
                    _("Unknown unit “%(name)s” in %(county)s.")
                    % {"name": units[0], "county": self.county.name},
                )
            support = []
            for unit_name in support_names:
                unit = self.unit(unit_name)
                if unit is None:
                    column = "lead_unit" if unit_name in units else "support_units"
                    problem(
                        column,
                        _("Unknown unit “%(name)s” in %(county)s.")
                        % {"name": unit_name, "county": self.county.name},
                    )
                elif unit not in support and unit != lead:
                    support.append(unit)
        elif base is None:
            problem("lead_unit", _("A new project needs its lead unit (责任单位)."))

        location = None
        if row.get("location"):
            location = self.location(row.get("location"))
            if location is None:
                problem(
                    "location",
                    _("Unknown place “%(name)s”: name a township, street or zone of %(county)s.")
                    % {"name": row.get("location"), "county": self.county.name},
                )
        elif base is None:
            location = lead

        leader = None
        if row.get("leader"):
            leader_name = person_name(row.get("leader"))
            leader = self.leader(leader_name)
            if leader is None:
                problem(
                    "leader",
                    _("Unknown leader “%(name)s” in %(county)s.")
                    % {"name": leader_name, "county": self.county.name},
                )

        category = category_of(row.get("category", "")) if row.get("category") else row.category
        if row.get("category") and category is None:
            problem(
                "category",
                _("“%(value)s” is not a category (产业发展, 基础设施, 社会民生, 生态环保).")
                % {"value": row.get("category")},
            )
        stage = None
        if row.get("nature"):
            stage = stage_of(row.get("nature"))
            if stage is None:
                problem(
                    "nature",
                    _("“%(value)s” is not a construction nature such as 新建, 续建, 竣工投产 or 前期.")
                    % {"value": row.get("nature")},
                )
        years = row.get("years")
        if base is None:
            for column, value, message in (
                (
                    "category",
                    category,
                    _("A new project needs its category: put it under a section row such as 一、产业发展类."),
                ),
                ("years", years, _("A new project needs its construction years (建设起止年限).")),
                ("total", row.get("total"), _("A new project needs its total investment (总投资).")),
                ("owner", row.get("owner"), _("A new project needs its owner (业主单位).")),
            ):
                header = sheet.header_of(column) or column
                already = any(
                    (p.sheet, p.row, p.column) == (sheet.name, row.number, header) for p in self.problems
                )
                if (value is None or value == "") and not already:
                    problem(column, message)
        if len(self.problems) > before:
            return None

        if base is None:
            data = ProjectInput(
                name=name,
                code=code,
                category=category,
                location_unit=location,
                lead_unit=lead,
                owner=row.get("owner"),
                scope=row.get("scope", ""),
                start_year=years[0],
                end_year=years[1],
                total_investment=row.get("total"),
                responsible_leader=leader,
                support_units=support or [],
                tags=list(self.tags),
                stage=stage or (Stage.NEW if years[0] == self.period.year else Stage.CONTINUING),
                tier=Tier.IMPLEMENTATION,
            )
        else:
            given = {
                "code": code,
                "name": name,
                "category": category,
                "location_unit": location,
                "owner": row.get("owner"),
                "scope": row.get("scope"),
                "start_year": years[0] if years else None,
                "end_year": years[1] if years else None,
                "total_investment": row.get("total"),
                "responsible_leader": leader,
                "lead_unit": lead,
                "support_units": support if units else None,
            }
            data = replace(base, **{k: v for k, v in given.items() if v is not None})
            data = replace(data, tags=base.tags + [tag for tag in self.tags if tag not in base.tags])
        plan = row.get("plan")
        ytd = row.get("ytd")
        if ytd is None and self.period.month == 1:
            ytd = row.get("month")
        if existing is not None and ytd is not None:
            try:
                opening_check(project=existing, period=self.period, ytd_completed=ytd)
            except ValidationError as error:
                for message in error.messages:
                    problem("ytd", message)
                return None
        return _Planned(sheet, row, data, existing, stage, plan, ytd)


def _changed_labels(before: ProjectInput, after: ProjectInput) -> list[str]:
    labels = []
    for name in SHEET_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if name in ("tags", "support_units"):
            old, new = [x.pk for x in old], [x.pk for x in new]
        if old != new:
            if name == "tags":
                labels.append(str(Project._meta.get_field("tags").verbose_name))
            elif name == "support_units":
                labels.append(_("support units"))
            else:
                labels.append(str(Project._meta.get_field(name).verbose_name))
    return labels


def _apply(item: _Planned, result: ImportResult, *, by, period: Period, file_name: str) -> None:
    """Write one row in a savepoint; a service's refusal becomes a problem of the row."""
    row, sheet = item.row, item.sheet
    outcome = RowOutcome(sheet=sheet.name, row=row.number, name=row.get("name"), action="unchanged")
    try:
        with transaction.atomic():
            project = item.existing
            if project is None:
                project = project_create(data=item.data, by=by)
                outcome.action = "created"
            else:
                outcome.changed = _changed_labels(project_input(project), item.data)
                if outcome.changed:
                    project = project_update(
                        project=project, data=item.data, expected_version=project.version, by=by
                    )
                if item.stage and item.stage != project.stage:
                    project = project_change_stage(
                        project=project,
                        stage=item.stage,
                        reason=_("Dispatch table %(file)s") % {"file": file_name},
                        expected_version=project.version,
                        by=by,
                    )
                    outcome.changed.append(str(Project._meta.get_field("stage").verbose_name))
            if item.plan is not None:
                current = AnnualPlan.objects.filter(project=project, year=period.year).first()
                if current is None or current.amount != item.plan:
                    annual_plan_set(project=project, year=period.year, amount=item.plan, by=by)
                    if outcome.action != "created":
                        outcome.changed.append(_("annual plan %(year)s") % {"year": period.year})
            if item.ytd is not None:
                _amount, month_report = opening_check(project=project, period=period, ytd_completed=item.ytd)
                if month_report is None:
                    report_set_opening(
                        project=project,
                        period=period,
                        ytd_completed=item.ytd,
                        by=by,
                        physical_progress=row.get("progress", ""),
                        problems=row.get("problems", ""),
                    )
                    if outcome.action != "created":
                        outcome.changed.append(_("opening figure %(period)s") % {"period": period})
            if outcome.action != "created" and outcome.changed:
                outcome.action = "updated"
            outcome.project_id = project.pk
    except ValidationError as error:
        for name, messages in _error_items(error):
            column = sheet.header_of(FIELD_COLUMNS.get(name, "")) if name else ""
            for message in messages:
                result.problems.append(Problem(sheet.name, row.number, column, message))
        return
    except PermissionDenied as error:
        result.problems.append(Problem(sheet.name, row.number, "", str(error)))
        return
    result.rows.append(outcome)


def _error_items(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [(name, ValidationError(errors).messages) for name, errors in error.error_dict.items()]
    return [("", error.messages)]


def _record(result: ImportResult, *, county: OrgUnit, by) -> ProjectImport:
    record = ProjectImport.objects.create(
        jurisdiction=county,
        file_name=result.file_name[:255],
        sha256=result.sha256,
        year=result.period.year,
        month=result.period.month,
        created=result.count("created"),
        updated=result.count("updated"),
        unchanged=result.count("unchanged"),
        by=by,
        at=clock.now(),
    )
    events.projects_imported(
        record,
        after={
            "file_name": record.file_name,
            "sha256": record.sha256,
            "year": record.year,
            "month": record.month,
            "jurisdiction": county.pk,
            **result.counts,
        },
        by=by,
    )
    return record
