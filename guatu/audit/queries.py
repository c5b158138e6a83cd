"""Reads of the audit trail. Rows for a page: guatu.audit.history.history_rows(these events)."""

from guatu.audit.models import AuditEvent


def history_of_project(project):
    """Every event about the project or anything recorded against it, oldest first.

    Takes the project or its id: a deleted project's events are kept, and its id is all that is left of it."""
    project_id = project if isinstance(project, int) else project.pk
    return AuditEvent.objects.filter(project_id=project_id).select_related("actor").order_by("at", "id")


def history_of(obj):
    """Every event about this one object, oldest first."""
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
