"""A dispatch meeting's papers as .docx in the official-document layout (GB/T 9704-2012, DOMAIN §4b): the agenda
(会议议程), drawn from the agenda the meeting page shows, and the minutes (会议纪要) with its decided items.

The builders write into any object with the `OfficialDocument` interface (guatu.bulletins.document): title,
issuer and date at construction, then `heading`, `paragraph`, `table`, `closing`, `to_bytes`. Papers are always in
Chinese, whatever the reader's page language: they are official documents.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

from guatu import clock
from guatu.access import gateway
from guatu.bulletins.document import OfficialDocument, date_text
from guatu.dispatch import queries
from guatu.dispatch.models import Meeting

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMERALS = "一二三四五六七八九十"


chinese_date = date_text  # 2022年5月31日: as the official-document layout writes a date


def deadline_text(day: date) -> str:
    """2022年5月31日前: a decided item's deadline as the minutes state it."""
    return _("by %(date)s") % {"date": chinese_date(day)}


def _section(number: int, text: str) -> str:
    return f"{NUMERALS[number - 1]}、{text}"


def issuer_of(meeting: Meeting) -> str:
    """Who issues the papers: the convening unit of a tier-1 meeting, the jurisdiction for a leader's."""
    if meeting.convenor_unit_id is not None:
        return meeting.convenor_unit.name
    office = gateway.meeting_jurisdiction(meeting)
    return office.name if office is not None else ""


def _convenor(meeting: Meeting) -> str:
    if meeting.convenor_id is not None:
        return str(meeting.convenor)
    return meeting.convenor_unit.name


def _facts(doc, meeting: Meeting) -> None:
    """Time, convenor and attendees: what the meeting records of itself."""
    doc.paragraph(_("Date: %(date)s") % {"date": chinese_date(meeting.date)})
    doc.paragraph(_("Convened by: %(who)s") % {"who": _convenor(meeting)})
    leaders = "、".join(str(leader) for leader in meeting.attendees.all())
    units = "、".join(unit.name for unit in meeting.attendee_units.all())
    if leaders:
        doc.paragraph(_("Attending leaders: %(names)s") % {"names": leaders})
    if units:
        doc.paragraph(_("Attending units: %(names)s") % {"names": units})


def _filename(meeting: Meeting, what: str) -> str:
    return f"{meeting.date.isoformat()}-{what}.docx"


def build_agenda(meeting: Meeting, document: Callable) -> object:
    """The agenda: the red and yellow projects, then the open problems at the meeting's tier, exactly as the
    meeting page lists them (queries.agenda_sections, the snapshot as of the meeting's date)."""
    projects, problems = queries.agenda_sections(meeting)
    doc = document(
        title=_("%(meeting)s agenda") % {"meeting": meeting.title},
        issuer=issuer_of(meeting),
        issued_on=meeting.date,
    )
    _facts(doc, meeting)
    doc.heading(_section(1, _("Red and yellow projects")), level=1)
    if projects:
        doc.table(
            [_("No."), _("Project"), _("Light"), _("Month"), _("Reasons")],
            [
                [str(n), item["title"], str(item["light_label"]), item["period"], "；".join(item["reasons"])]
                for n, item in enumerate(projects, 1)
            ],
            widths=[12, 52, 16, 20, 56],
        )
    else:
        doc.paragraph(_("No red or yellow project."))
    doc.heading(_section(2, _("Open problems at this tier")), level=1)
    if problems:
        doc.table(
            [_("No."), _("Problem"), _("Project"), _("Deadline")],
            [
                [
                    str(n),
                    item["title"],
                    item["project"] or "—",
                    chinese_date(date.fromisoformat(item["deadline"])) if item["deadline"] else "—",
                ]
                for n, item in enumerate(problems, 1)
            ],
            widths=[12, 80, 38, 26],
        )
    else:
        doc.paragraph(_("No open problem at this tier."))
    doc.closing()
    return doc


def build_minutes(meeting: Meeting, document: Callable, *, issued_on: date) -> object:
    """The minutes: the meeting's facts, the minutes text, and the decided items numbered, each with its
    responsible unit, support units and deadline."""
    doc = document(
        title=_("%(meeting)s minutes") % {"meeting": meeting.title},
        issuer=issuer_of(meeting),
        issued_on=issued_on,
    )
    _facts(doc, meeting)
    doc.heading(_section(1, _("Proceedings")), level=1)
    paragraphs = [line.strip() for line in meeting.minutes.splitlines() if line.strip()]
    for text in paragraphs or ["—"]:
        doc.paragraph(text)
    doc.heading(_section(2, _("Decided items")), level=1)
    decisions = queries.meeting_decisions(meeting)
    for n, decision in enumerate(decisions, 1):
        support = "、".join(unit.name for unit in decision.support_units.all())
        parts = [_("Responsible unit: %(unit)s") % {"unit": decision.responsible_unit.name}]
        if support:
            parts.append(_("support units: %(units)s") % {"units": support})
        parts.append(_("deadline: %(date)s") % {"date": deadline_text(decision.deadline)})
        doc.paragraph(f"{n}. {decision.text.rstrip('。')}。（{'；'.join(parts)}）")
    if not decisions:
        doc.paragraph(_("No decided items recorded."))
    doc.closing()
    return doc


def agenda_docx(meeting: Meeting) -> tuple[str, bytes]:
    with translation.override("zh-hans"):
        doc = build_agenda(meeting, OfficialDocument)
        return _filename(meeting, "会议议程"), doc.to_bytes()


def minutes_docx(meeting: Meeting) -> tuple[str, bytes]:
    with translation.override("zh-hans"):
        doc = build_minutes(meeting, OfficialDocument, issued_on=clock.today())
        return _filename(meeting, "会议纪要"), doc.to_bytes()
