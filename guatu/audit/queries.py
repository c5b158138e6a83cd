"""Reads of the audit trail. Rows for a page: guatu.audit.history.history_rows(these events)."""

from django.db.models import Q

from guatu.audit.models import AuditEvent

# Signing in and out (guatu.audit.events.signed_in ...), refusals (access_denied) and downloads (file_downloaded):
# in the audit log, not in an object's history of changes.
SESSION_EVENTS = (
    Q(action__startswith="login.")
    | Q(action__startswith="logout.")
    | Q(action__in=["access.denied", "file.download", "otp.verify", "otp.failure"])
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
