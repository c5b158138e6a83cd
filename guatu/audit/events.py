"""One function per kind of audit event, named for what happened: `events.project_created(project, after=...,
by=...)` at the call site says what is recorded, where `audit_record(action="project.create", ...)` only spells
it. Each writes through `guatu.audit.services.audit_record` (the low-level function, which stays for the
workflow helper and bulk loaders) with its action code, whose Chinese name is in `guatu.audit.labels`.

`before` and `after` are the changed fields as `audit.services.snapshot`/`changes` give them (foreign keys by
id, Decimals as exact text). Review steps of reports, values and problems are recorded by
`guatu.audit.workflow.Workflow.run` from each service's table of steps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models

from guatu.audit.models import AuditEvent
from guatu.audit.services import audit_record

Fields = dict[str, Any]


def _created(
    action: str, obj: models.Model, *, after: Fields, by, project=None, reason: str = ""
) -> AuditEvent:
    return audit_record(actor=by, action=action, obj=obj, project=project, after=after, reason=reason)


def _changed(
    action: str,
    obj: models.Model,
    *,
    before: Fields,
    after: Fields,
    by,
    project=None,
    reason: str = "",
    at: datetime | None = None,
) -> AuditEvent:
    return audit_record(
        actor=by, action=action, obj=obj, project=project, before=before, after=after, reason=reason, at=at
    )


# --- org tree and users


def unit_created(unit, *, after: Fields, by) -> AuditEvent:
    return _created("orgunit.create", unit, after=after, by=by)


def leader_created(leader, *, after: Fields, by) -> AuditEvent:
    return _created("leader.create", leader, after=after, by=by)


def user_created(user, *, after: Fields, by) -> AuditEvent:
    return _created("user.create", user, after=after, by=by)


def user_changed(user, *, before: Fields, after: Fields, by, reason: str = "") -> AuditEvent:
    """A user's unit, role, superuser status or details changed (the admin's user form), or the account was
    disabled for lack of use (by nobody, with the reason)."""
    return _changed("user.update", user, before=before, after=after, by=by, reason=reason)


def unit_changed(unit, *, before: Fields, after: Fields, by) -> AuditEvent:
    """A unit renamed, or its short name, aliases, kind, code or order changed."""
    return _changed("orgunit.update", unit, before=before, after=after, by=by)


def unit_moved(unit, *, before: Fields, after: Fields, by) -> AuditEvent:
    """A unit moved under another parent (with its whole subtree)."""
    return _changed("orgunit.move", unit, before=before, after=after, by=by)


def unit_closed(unit, *, before: Fields, after: Fields, by, reason: str = "") -> AuditEvent:
    return _changed("orgunit.close", unit, before=before, after=after, by=by, reason=reason)


def unit_reopened(unit, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("orgunit.reopen", unit, before=before, after=after, by=by)


def leader_changed(leader, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("leader.update", leader, before=before, after=after, by=by)


def leader_post_ended(leader, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("leader.end", leader, before=before, after=after, by=by)


def user_password_reset(user, *, by) -> AuditEvent:
    """An administrator gave the user a temporary password (never recorded) to change at next login."""
    return _changed("user.password_reset", user, before={}, after={"must_change_password": True}, by=by)


def user_password_changed(user, *, by) -> AuditEvent:
    """The user chose a new password (never recorded)."""
    return _changed("user.password_change", user, before={}, after={}, by=by)


def user_role_granted(user, *, before: Fields, after: Fields, by, reason: str) -> AuditEvent:
    """The security administrator changed the user's role (an administrator role granted or taken away), with
    the reason."""
    return _changed("user.role", user, before=before, after=after, by=by, reason=reason)


def sign_in_unlocked(user, *, until, by) -> AuditEvent:
    """The security administrator lifted the lock on the user's name before it expired."""
    return _changed("login.unlock", user, before={"locked_until": until.isoformat()}, after={}, by=by)


def user_access_changed(user, *, before: Fields, after: Fields, by) -> AuditEvent:
    """The user's groups or individual permissions changed (the admin's user form), by name."""
    return _changed("user.access_change", user, before=before, after=after, by=by)


# --- the audit log itself


def audit_purged(*, removed: int, before: datetime, kept_from: int) -> AuditEvent:
    """`guatu audit purge` removed the events before `before` (the chain now starts at seal `kept_from`)."""
    return audit_record(
        actor=None,
        action="audit.purge",
        obj=None,
        object_type="auditevent",
        after={"removed": removed, "before": before.isoformat(), "first_kept_seal": kept_from},
    )


def audit_log_read(user, *, filters: Fields, shown: int) -> AuditEvent:
    """The audit administrator read the audit log: with which filters, how many rows matched."""
    return audit_record(
        actor=user,
        action="audit.query",
        obj=None,
        object_type="auditlog",
        after={"filters": filters, "rows": shown},
    )


def access_denied(user, method: str, path: str, status: int) -> AuditEvent:
    """A signed-in user was refused a page or an object (403 or the gateway's 404)."""
    return audit_record(
        actor=user,
        action="access.denied",
        obj=None,
        object_type="request",
        after={"method": method[:10], "path": path[:500], "status": status},
    )


def file_downloaded(user, path: str, disposition: str, size: int | None) -> AuditEvent:
    """A signed-in user took a file away (an export, a bulletin, an attachment): what, from where, how big."""
    return audit_record(
        actor=user,
        action="file.download",
        obj=None,
        object_type="request",
        after={"path": path[:500], "file": disposition[:300], "bytes": size},
    )


# --- backups (guatu.ops)


def backup_created(*, file: str, size: int, sha256: str, tables: int, rows: int) -> AuditEvent:
    """A backup was made (数据库备份). Written after the snapshot, so the backup does not hold it."""
    after = {"file": file, "size": size, "sha256": sha256, "tables": tables, "rows": rows}
    return audit_record(actor=None, action="backup.create", obj=None, object_type="backup", after=after)


def restore_verified(*, file: str, sha256: str, tables: int, rows: int, result: str) -> AuditEvent:
    """A backup was restored and checked table by table (恢复测试记录); `result` is "ok" or "mismatch"."""
    after = {"file": file, "sha256": sha256, "tables": tables, "rows": rows, "result": result}
    return audit_record(actor=None, action="backup.restore_test", obj=None, object_type="backup", after=after)


# --- signing in and out (guatu.accounts.signin); the client's address is on every event


def signed_in(user) -> AuditEvent:
    return audit_record(actor=user, action="login.success", obj=user)


def sign_in_failed(username: str, user=None, *, locked_now: bool = False) -> AuditEvent:
    """A wrong password, or a name that matches no user (then object id 0); the name as typed is kept."""
    action = "login.lockout" if locked_now else "login.failure"
    return audit_record(actor=None, action=action, obj=user, object_type="user", after={"username": username})


def sign_in_refused(username: str, reason: str, user=None) -> AuditEvent:
    """Refused before the password was checked: the name is locked or the address throttled."""
    return audit_record(
        actor=None,
        action="login.refused",
        obj=user,
        object_type="user",
        after={"username": username},
        reason=reason,
    )


def signed_out(user, *, timed_out: str = "") -> AuditEvent:
    """Signed out by the user, or by the session's idle or absolute limit (`timed_out` says which)."""
    return audit_record(
        actor=user, action="logout.timeout" if timed_out else "logout.user", obj=user, reason=timed_out
    )


# --- two-factor sign-in (guatu.accounts.two_factor); never the secret or the code


def otp_enrolled(user) -> AuditEvent:
    """The user set up their authenticator app, confirmed by a first right code."""
    return audit_record(actor=user, action="otp.enrol", obj=user)


def otp_verified(user) -> AuditEvent:
    """A right code after the password: the session may open pages."""
    return audit_record(actor=user, action="otp.verify", obj=user)


def otp_failed(user, *, reason: str) -> AuditEvent:
    """A code refused: wrong, or unchecked while the device's throttle, the name's lock or the address's
    throttle holds; `reason` is what the user was told."""
    return audit_record(actor=user, action="otp.failure", obj=user, reason=reason)


def otp_reset(user, *, by) -> AuditEvent:
    """An administrator removed the user's device: they set up a new one at their next sign-in."""
    return _changed("otp.reset", user, before={}, after={}, by=by)


# --- project library


def level_tag_created(tag, *, after: Fields, by) -> AuditEvent:
    return _created("leveltag.create", tag, after=after, by=by)


def chain_created(chain, *, after: Fields, by) -> AuditEvent:
    return _created("industrychain.create", chain, after=after, by=by)


def project_created(project, *, after: Fields, by) -> AuditEvent:
    return _created("project.create", project, after=after, by=by, project=project)


def project_updated(project, *, before: Fields, after: Fields, by) -> AuditEvent:
    """A project's fields, tags, support units or task force edited (its stage steps: projects.services)."""
    return _changed("project.update", project, before=before, after=after, by=by, project=project)


def plan_set(plan, *, before: Fields, after: Fields, by) -> AuditEvent:
    """An annual plan set or set anew (`before` empty the first time)."""
    return _changed("plan.set", plan, before=before, after=after, by=by, project=plan.project)


# --- project schedule: milestones and level tags (projects.schedule)


def milestone_added(milestone, *, after: Fields, by) -> AuditEvent:
    return _created("milestone.create", milestone, after=after, by=by, project=milestone.project)


def milestone_changed(milestone, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed(
        "milestone.update", milestone, before=before, after=after, by=by, project=milestone.project
    )


def milestone_completed(milestone, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed(
        "milestone.complete", milestone, before=before, after=after, by=by, project=milestone.project
    )


def milestone_deleted(milestone, *, before: Fields, reason: str, by) -> AuditEvent:
    """`before`: the step as it was, so the history still names what was removed."""
    return _changed(
        "milestone.delete",
        milestone,
        before=before,
        after={},
        by=by,
        project=milestone.project,
        reason=reason,
    )


def level_tag_changed(tag, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("leveltag.update", tag, before=before, after=after, by=by)


def level_tag_deleted(tag, *, before: Fields, by) -> AuditEvent:
    return _changed("leveltag.delete", tag, before=before, after={}, by=by)


# --- monthly reports (their review steps: reports.services.WORKFLOW)


def report_created(report, *, after: Fields, by) -> AuditEvent:
    return _created("report.create", report, after=after, by=by, project=report.project)


def report_changed(report, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("report.update", report, before=before, after=after, by=by, project=report.project)


def report_workbook_imported(unit, *, after: Fields, by) -> AuditEvent:
    """A unit's filled-in monthly report workbook taken in: the file's SHA-256, the month and the counts (each
    report's own change is its own event)."""
    return _created("report.workbook_import", unit, after=after, by=by)


# --- warning lights


def rules_set(setting, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("lights.rules_set", setting, before=before, after=after, by=by)


def default_period_set(setting, *, before: Fields, after: Fields, by) -> AuditEvent:
    """The month a jurisdiction's pages open on, set or cleared by its city administrator."""
    return _changed("lights.default_period_set", setting, before=before, after=after, by=by)


# --- dispatch: problems, supervision orders, meetings


def problem_raised(problem, *, after: Fields, by, at: datetime | None = None) -> AuditEvent:
    """`at`: when it was raised, where that is not now (a meeting's minutes, the demo's story)."""
    return _changed("problem.raise", problem, before={}, after=after, by=by, project=problem.project, at=at)


def _problem_step(action: str, problem, *, before: Fields, after: Fields, by, reason: str, at) -> AuditEvent:
    return _changed(
        action, problem, before=before, after=after, by=by, project=problem.project, reason=reason, at=at
    )


def problem_assigned(problem, *, before: Fields, after: Fields, by, reason: str = "", at=None) -> AuditEvent:
    return _problem_step("problem.assign", problem, before=before, after=after, by=by, reason=reason, at=at)


def problem_feedback_given(
    problem, *, before: Fields, after: Fields, by, reason: str = "", at=None
) -> AuditEvent:
    return _problem_step("problem.feedback", problem, before=before, after=after, by=by, reason=reason, at=at)


def problem_verified(problem, *, before: Fields, after: Fields, by, reason: str = "", at=None) -> AuditEvent:
    return _problem_step("problem.verify", problem, before=before, after=after, by=by, reason=reason, at=at)


def problem_closed(problem, *, before: Fields, after: Fields, by, reason: str = "", at=None) -> AuditEvent:
    return _problem_step("problem.close", problem, before=before, after=after, by=by, reason=reason, at=at)


def problem_reopened(problem, *, before: Fields, after: Fields, by, reason: str = "", at=None) -> AuditEvent:
    return _problem_step("problem.reopen", problem, before=before, after=after, by=by, reason=reason, at=at)


def problem_escalated(problem, *, before: Fields, after: Fields, by, reason: str = "", at=None) -> AuditEvent:
    """`by` is None when the scheduled escalation acts; `at` is the moment it acts as of."""
    return _problem_step("problem.escalate", problem, before=before, after=after, by=by, reason=reason, at=at)


def order_issued(order, *, after: Fields, by) -> AuditEvent:
    return _created("supervision.issue", order, after=after, by=by, project=order.project)


def order_answered(order, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("supervision.respond", order, before=before, after=after, by=by, project=order.project)


def order_closed(order, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("supervision.close", order, before=before, after=after, by=by, project=order.project)


def meeting_scheduled(meeting, *, after: Fields, by) -> AuditEvent:
    return _created("meeting.create", meeting, after=after, by=by)


def minutes_recorded(meeting, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("meeting.minutes", meeting, before=before, after=after, by=by)


def decision_added(decision, *, after: Fields, by) -> AuditEvent:
    """A meeting's decided item (议定事项) recorded; `project` is its linked project, if any."""
    return _created("meeting.decision_add", decision, after=after, by=by, project=decision.project)


def decision_changed(decision, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed(
        "meeting.decision_update", decision, before=before, after=after, by=by, project=decision.project
    )


def decision_removed(decision, *, before: Fields, by) -> AuditEvent:
    """The item's last state is in `before`: its history stays readable after the row is gone."""
    return _changed(
        "meeting.decision_remove", decision, before=before, after={}, by=by, project=decision.project
    )


# --- assessment


def scheme_created(scheme, *, after: Fields, by) -> AuditEvent:
    return _created("scheme.create", scheme, after=after, by=by)


def scheme_changed(scheme, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("scheme.update", scheme, before=before, after=after, by=by)


def indicator_created(indicator, *, after: Fields, by) -> AuditEvent:
    return _created("indicator.create", indicator, after=after, by=by)


def indicator_changed(indicator, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("indicator.update", indicator, before=before, after=after, by=by)


def value_entered(value, *, after: Fields, by) -> AuditEvent:
    return _created("value.create", value, after=after, by=by)


def value_changed(value, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("value.update", value, before=before, after=after, by=by)


def evidence_added(value, *, after: Fields, by) -> AuditEvent:
    return _created("value.evidence", value, after=after, by=by)


def published_input_refused(result, *, attempted: Fields, reason: str, by) -> AuditEvent:
    """Someone tried to change an input of a published result: refused, and the attempt kept."""
    return _created("value.change_refused", result, after=attempted, by=by, reason=reason)


def item_added(item, *, after: Fields, reason: str, by) -> AuditEvent:
    return _created("item.add", item, after=after, by=by, reason=reason)


def published_item_refused(result, *, attempted: Fields, reason: str, by) -> AuditEvent:
    """Someone tried to add a bonus, penalty or veto item to a published month: refused, the attempt kept."""
    return _created("item.change_refused", result, after=attempted, by=by, reason=reason)


def results_computed(result, *, after: Fields, by) -> AuditEvent:
    return _created("snapshot.compute", result, after=after, by=by)


def results_recomputed(result, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("snapshot.recompute", result, before=before, after=after, by=by)


def recompute_refused(result, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("snapshot.recompute_refused", result, before=before, after=after, by=by)


def results_published(result, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("snapshot.publish", result, before=before, after=after, by=by)


def results_superseded(result, *, before: Fields, after: Fields, by) -> AuditEvent:
    """A published version replaced by a corrected one; it stays readable, marked superseded."""
    return _changed("snapshot.supersede", result, before=before, after=after, by=by)


def corrected_results_published(result, *, before: Fields, after: Fields, by) -> AuditEvent:
    """The corrected version published after upheld appeals (`before`: the version it replaces)."""
    return _changed("snapshot.republish", result, before=before, after=after, by=by)


def appeal_raised(appeal, *, after: Fields, by) -> AuditEvent:
    return _created("appeal.raise", appeal, after=after, by=by)


def appeal_answered(appeal, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("appeal.answer", appeal, before=before, after=after, by=by)


# --- the demo's imports (`guatu demo`)


def checklist_imported(row, *, after: Fields, by, reason: str = "") -> AuditEvent:
    return _created("checklist.import", row, after=after, by=by, reason=reason)


def peer_value_imported(row, *, after: Fields, by, reason: str = "") -> AuditEvent:
    return _created("peer.import", row, after=after, by=by, reason=reason)


def headline_imported(row, *, after: Fields, by, reason: str = "") -> AuditEvent:
    return _created("headline.import", row, after=after, by=by, reason=reason)


# --- assessment reference data entered in the app (review steps: the tables in assessment.reference)


def checklist_entered(row, *, after: Fields, by) -> AuditEvent:
    return _created("checklist.create", row, after=after, by=by)


def checklist_changed(row, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("checklist.update", row, before=before, after=after, by=by)


def peer_value_entered(row, *, after: Fields, by) -> AuditEvent:
    return _created("peer.create", row, after=after, by=by)


def peer_value_changed(row, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("peer.update", row, before=before, after=after, by=by)


def headline_entered(row, *, after: Fields, by) -> AuditEvent:
    """A headline indicator (its annual target) or one of its quarters entered."""
    return _created("headline.create", row, after=after, by=by)


def headline_changed(row, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("headline.update", row, before=before, after=after, by=by)


# --- imports: an office's dispatch table (调度表)


def report_opening_set(report, *, after: Fields, by, reason: str) -> AuditEvent:
    """A dispatch table's year-to-date figure taken in as the month's approved opening figure; `reason` says
    how its amount was found (the year to date less the months already approved)."""
    return _created("report.opening", report, after=after, by=by, project=report.project, reason=reason)


def projects_imported(record, *, after: Fields, by) -> AuditEvent:
    """A dispatch table imported into the project library: file, SHA-256, period and counts."""
    return _created("import.projects", record, after=after, by=by)


# --- investment attraction: leads, follow-ups, funds in place (guatu.attraction)


def lead_created(lead, *, after: Fields, by) -> AuditEvent:
    return _created("lead.create", lead, after=after, by=by)


def lead_changed(lead, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("lead.update", lead, before=before, after=after, by=by)


def lead_followed_up(entry, *, after: Fields, by) -> AuditEvent:
    return _created("lead.follow_up", entry, after=after, by=by)


def funds_entered(row, *, after: Fields, by) -> AuditEvent:
    return _created("funds.create", row, after=after, by=by)


def funds_changed(row, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("funds.update", row, before=before, after=after, by=by)


def lead_converted(lead, *, before: Fields, after: Fields, by) -> AuditEvent:
    """On the lead: it became a project of the library (`after` names the project; the lead's name rides along
    so that the project's history, which has none of the lead's other events, names the lead; unchanged, it
    is no change of its own)."""
    name = {"name": lead.name}
    return _changed(
        "lead.convert", lead, before={**name, **before}, after={**name, **after}, by=by, project=lead.project
    )


def project_converted_from_lead(project, *, lead, by) -> AuditEvent:
    """On the project: it came from an investment lead (shown by its name on the history page)."""
    return _created("project.from_lead", project, after={"lead": lead.pk}, by=by, project=project)


# --- reserve pipeline: the tiers' rules and funding applications (guatu.reserve)


def reserve_entry_rule_set(rule, *, before: Fields, after: Fields, by) -> AuditEvent:
    """A jurisdiction's entry criteria of one tier and category set (`before`: the default, the first time)."""
    return _changed("reserve.entry_rule", rule, before=before, after=after, by=by)


def reserve_gate_set(gate, *, before: Fields, after: Fields, by) -> AuditEvent:
    """A jurisdiction's promotion gate of one tier set (`before`: the default, the first time)."""
    return _changed("reserve.gate", gate, before=before, after=after, by=by)


def funding_application_created(application, *, after: Fields, by) -> AuditEvent:
    return _created("funding.create", application, after=after, by=by, project=application.project)


def funding_application_changed(application, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed(
        "funding.update", application, before=before, after=after, by=by, project=application.project
    )


# --- industrial chains (链长制): the chain, its work team, targets, policies and follow-through (guatu.chains)


def chain_changed(chain, *, before: Fields, after: Fields, by) -> AuditEvent:
    """A chain's name, kind, chief, lead department or order changed."""
    return _changed("industrychain.update", chain, before=before, after=after, by=by)


def chain_member_added(member, *, after: Fields, by) -> AuditEvent:
    return _created("chainmember.create", member, after=after, by=by)


def chain_member_changed(member, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("chainmember.update", member, before=before, after=after, by=by)


def chain_member_removed(member, *, before: Fields, reason: str, by) -> AuditEvent:
    return _changed("chainmember.delete", member, before=before, after={}, reason=reason, by=by)


def chain_target_added(target, *, after: Fields, by) -> AuditEvent:
    return _created("chaintarget.create", target, after=after, by=by)


def chain_target_changed(target, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("chaintarget.update", target, before=before, after=after, by=by)


def chain_target_removed(target, *, before: Fields, reason: str, by) -> AuditEvent:
    return _changed("chaintarget.delete", target, before=before, after={}, reason=reason, by=by)


def chain_policy_added(policy, *, after: Fields, by) -> AuditEvent:
    return _created("chainpolicy.create", policy, after=after, by=by)


def chain_policy_changed(policy, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("chainpolicy.update", policy, before=before, after=after, by=by)


def chain_policy_removed(policy, *, before: Fields, reason: str, by) -> AuditEvent:
    return _changed("chainpolicy.delete", policy, before=before, after={}, reason=reason, by=by)


def chain_progress_added(entry, *, after: Fields, by) -> AuditEvent:
    return _created("chainprogress.create", entry, after=after, by=by)


def chain_progress_changed(entry, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("chainprogress.update", entry, before=before, after=after, by=by)


def chain_progress_removed(entry, *, before: Fields, reason: str, by) -> AuditEvent:
    return _changed("chainprogress.delete", entry, before=before, after={}, reason=reason, by=by)


# --- enterprises: the firms served (当好店小二) and their yearly figures (guatu.enterprises)


def enterprise_created(enterprise, *, after: Fields, by) -> AuditEvent:
    return _created("enterprise.create", enterprise, after=after, by=by)


def enterprise_changed(enterprise, *, before: Fields, after: Fields, by) -> AuditEvent:
    return _changed("enterprise.update", enterprise, before=before, after=after, by=by)


def enterprise_figures_set(figure, *, before: Fields, after: Fields, by) -> AuditEvent:
    """A firm's output and tax of one year entered or changed (`before` empty the first time)."""
    return _changed("enterprise.figures", figure, before=before, after=after, by=by)
