"""`guatu import <what> FILE.xlsx ...`: take an office's Excel into Guatu from the command line.

Each kind of import is a subcommand: a function that adds its arguments and one that runs it, registered in
SUBCOMMANDS (`projects` here; `reports` takes the monthly reports workbook)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guatu.accounts.models import User
from guatu.lib.periods import Period, PeriodError
from guatu.orgs.models import OrgUnit
from guatu.orgs.services import find_unit_by_name
from guatu.projects.models import LevelTag


def _read_file(path: str) -> tuple[bytes, str]:
    file = Path(path)
    if not file.is_file():
        raise CommandError(_("No such file: %(path)s") % {"path": path})
    if file.stat().st_size > settings.GUATU_IMPORT_MAX_BYTES:
        raise CommandError(
            _("%(name)s is too large: at most %(mb)s MB.")
            % {"name": file.name, "mb": settings.GUATU_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    return file.read_bytes(), file.name


def actor(username: str | None) -> User:
    """Who the audit trail names: the person running the import (`--user`), an active account that may do it."""
    if not username:
        raise CommandError(_("Say who imports: --user USERNAME (a reviewer or city administrator)."))
    user = User.objects.filter(username=username, is_active=True).select_related("org_unit").first()
    if user is None:
        raise CommandError(_("No active user named %(name)s.") % {"name": username})
    return user


def _period(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        return Period.parse(text)
    except PeriodError:
        raise CommandError(_("--period must look like 2022-03, not %(value)s.") % {"value": text}) from None


def _unit(text: str | None) -> OrgUnit | None:
    if not text:
        return None
    unit = OrgUnit.objects.filter(division_code=text).first() or find_unit_by_name(text)
    if unit is None:
        raise CommandError(_("No unit with the code or name %(value)s.") % {"value": text})
    return unit


def _tags(codes: list[str]) -> list[LevelTag]:
    tags = list(LevelTag.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {tag.code for tag in tags})
    if missing:
        raise CommandError(_("No level tag with the code %(codes)s.") % {"codes": ", ".join(missing)})
    return tags


# --- guatu import projects


def projects_arguments(parser) -> None:
    parser.add_argument("file", help="the dispatch table (调度表), .xlsx")
    parser.add_argument(
        "--tag", action="append", default=[], help="level tag code to put every project on (repeatable)"
    )
    parser.add_argument("--period", help="the month, YYYY-MM (default: from the title or 填报时间)")
    parser.add_argument("--unit", help="the jurisdiction, by division code or name (default: the user's)")
    parser.add_argument(
        "--user", help="username of the reviewer or city administrator importing (audit actor)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="check and list what would change; write nothing"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")


def projects_run(command: BaseCommand, options: dict) -> None:
    from guatu.imports.services import projects_import

    data, name = _read_file(options["file"])
    by = actor(options["user"])
    try:
        result = projects_import(
            data=data,
            file_name=name,
            by=by,
            jurisdiction=_unit(options["unit"]),
            period=_period(options["period"]),
            tags=_tags(options["tag"]),
            dry_run=options["dry_run"],
        )
    except (ValidationError, PermissionDenied) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise CommandError("; ".join(messages)) from None
    if options["format"] == "json":
        command.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        _write_text(command, result)
    if result.problems:
        raise CommandError(_("Nothing was imported: %(count)d problems.") % {"count": len(result.problems)})


def _write_text(command: BaseCommand, result) -> None:
    for problem in result.problems:
        where = "，".join(
            part
            for part in (
                problem.sheet,
                _("row %(row)s") % {"row": problem.row} if problem.row else "",
                problem.column,
            )
            if part
        )
        command.stdout.write(f"{where}：{problem.message}")
    labels = {
        "created": pgettext("import", "created"),
        "updated": pgettext("import", "updated"),
        "unchanged": pgettext("import", "unchanged"),
    }
    for row in result.rows:
        changed = f"（{'、'.join(row.changed)}）" if row.changed else ""
        command.stdout.write(f"{row.sheet} {row.row}: {row.name} — {labels[row.action]}{changed}")
    if not result.problems:
        counts = result.counts
        text = _("%(period)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
            "period": result.period,
            **counts,
        }
        if result.dry_run:
            text = _("Dry run, nothing written. %(text)s") % {"text": text}
        command.stdout.write(command.style.SUCCESS(text))


# --- guatu import reports (the monthly report workbook: guatu.reports.workbook)


def reports_arguments(parser) -> None:
    parser.add_argument("file", help="the filled-in monthly report template (月报填报模板), .xlsx")
    parser.add_argument("--unit", required=True, help="the unit, by division code or name")
    parser.add_argument("--period", required=True, help="the month, YYYY-MM")
    parser.add_argument("--user", help="username of the unit's reporter importing (audit actor)")
    parser.add_argument("--dry-run", action="store_true", help="check and list what would change; write nothing")
    parser.add_argument("--submit", action="store_true", help="submit the reports for review once imported")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def reports_run(command: BaseCommand, options: dict) -> None:
    from guatu.reports.workbook import reports_import_workbook

    data, name = _read_file(options["file"])
    by = actor(options["user"])
    try:
        result = reports_import_workbook(
            unit=_unit(options["unit"]),
            period=_period(options["period"]),
            data=data,
            name=name,
            by=by,
            submit=options["submit"],
            dry_run=options["dry_run"],
        )
    except PermissionDenied as error:
        raise CommandError(str(error)) from None
    except ValidationError as error:
        messages = error.messages
        if options["format"] == "json":
            command.stdout.write(json.dumps({"errors": messages}, ensure_ascii=False, indent=2))
        else:
            for message in messages:
                command.stdout.write(message)
        raise CommandError(_("Nothing was imported: %(count)d problems.") % {"count": len(messages)}) from None
    if options["format"] == "json":
        command.stdout.write(
            json.dumps({**result.counts(), "dry_run": result.dry_run, "errors": []}, ensure_ascii=False, indent=2)
        )
        return
    text = _("%(period)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
        "period": options["period"],
        **result.counts(),
    }
    if result.dry_run:
        text = _("Dry run, nothing written. %(text)s") % {"text": text}
    command.stdout.write(command.style.SUCCESS(text))


SUBCOMMANDS = {
    "projects": (projects_arguments, projects_run, "the project library from a dispatch table (调度表)"),
    "reports": (reports_arguments, reports_run, "a unit's monthly reports from the filled-in template (月报填报模板)"),
}


class Command(BaseCommand):
    help = "Import an office's Excel: `guatu import projects FILE.xlsx` (the dispatch table, 调度表)."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="what", required=True, parser_class=type(parser))
        for name, (arguments, _run, help_text) in SUBCOMMANDS.items():
            arguments(
                subparsers.add_parser(
                    name,
                    help=help_text,
                    called_from_command_line=getattr(parser, "called_from_command_line", None),
                )
            )

    def handle(self, *args, what, **options):
        SUBCOMMANDS[what][1](self, options)
