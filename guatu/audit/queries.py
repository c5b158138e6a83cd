"""Reads of the audit trail. Rows for a page: guatu.audit.history.history_rows(these events)."""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone

from guatu.audit.models import AuditEvent

# Signing in and out (guatu.audit.events.signed_in ...), refusals (access_denied), downloads (file_downloaded) and
# reads of the audit log (audit_log_read):
# in the audit log, not in an object's history of changes.
SESSION_EVENTS = (
    Q(action__startswith="login.")
    | Q(action__startswith="logout.")
    | Q(action__in=["access.denied", "file.download", "otp.verify", "otp.failure", "audit.query"])
)


def business_events():
    """Every event but signing in and out, refusals and downloads: the changes made to the data and its
    workflow."""
    return AuditEvent.objects.exclude(SESSION_EVENTS)


def history_of_project(project):
    """Every event about the project or anything recorded against it, oldest first.

    Takes the project or its id: a deleted project's events are kept, and its id is all that is left of it."""
    project_id = project if isinstance(project, int) else project.pk
    return AuditEvent.objects.filter(project_id=project_id).select_related("actor").order_by("at", "id")


def history_of(obj):
    """Every change to this one object, oldest first (a user's sign-ins are the audit log's, not here)."""
    return (
        business_events()
        .filter(object_type=obj._meta.model_name, object_id=obj.pk)
        .select_related("actor")
        .order_by("at", "id")
    )


def replay(events) -> dict:
    """Apply each event's `after` in order: the object's audited state as the trail tells it."""
    state: dict = {}
    for event in events:
        state.update(event.after)
    return state


def filtered_log(events, *, since=None, until=None, user: str = "", action: str = "", ip: str | None = None):
    """The audit log narrowed by the audit administrator's filters, newest first; days are whole local days."""
    if since:
        events = events.filter(at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        events = events.filter(at__lte=timezone.make_aware(datetime.combine(until, time.max)))
    if user:
        events = events.filter(
            Q(actor__username__icontains=user)
            | Q(actor__first_name__icontains=user)
            | Q(after__username=user)
        )
    if action:
        events = events.filter(action=action)
    if ip:
        events = events.filter(ip=ip)
    return events.select_related("actor__org_unit").order_by("-at", "-id")
