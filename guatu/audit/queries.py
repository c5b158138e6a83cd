"""Reads of the audit trail."""

from guatu.audit.models import AuditEvent


def history_of_project(project):
    """Every event about the project or anything recorded against it, oldest first."""
    return AuditEvent.objects.filter(project=project).select_related("actor").order_by("at", "id")


def history_of(obj):
    return (
        AuditEvent.objects.filter(object_type=obj._meta.model_name, object_id=obj.pk)
        .select_related("actor")
        .order_by("at", "id")
    )


def replay(events) -> dict:
    """Apply each event's `after` in order: the object's audited state as the trail tells it."""
    state: dict = {}
    for event in events:
        state.update(event.after)
    return state
