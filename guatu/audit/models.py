"""Audit events: who changed what, when, from what to what, and why."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(_("action"), max_length=50)
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.BigIntegerField(_("object id"))
    # The project an event concerns, so that a project's history is one indexed query. The trail outlives what
    # it describes: deleting a project leaves its events, and this column keeps the project's id (no database
    # constraint, nothing done on delete), so `history_of_project` still finds them by the same index and the
    # project's name stays readable in its `project.create` event. Primary keys are never reused (PostgreSQL
    # sequences, SQLite AUTOINCREMENT), so a kept id cannot come to mean another project. Do not follow
    # `event.project` for a deleted project: read `project_id`.
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The client's address when the event came from a request (guatu.audit.context), else None.
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class AuditPending(models.Model):
    """An event written but not yet sealed into the chain: inserted with the event, in its transaction, and
    removed by the sealer once the event's seal is written (guatu.audit.chain). Stays small."""

    event = models.OneToOneField(AuditEvent, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"pending #{self.event_id}"


class AuditSeal(models.Model):
    """The hash chain over the audit log, in the order events were sealed (after their transaction committed):
    `hash` = SHA-256 of the previous seal's hash and the event's canonical content (guatu.audit.chain). Editing,
    removing or inserting an event anywhere breaks the chain from there on; `guatu audit verify` names the first
    broken row. Append-only like the events (guatu.audit.guards)."""

    event = models.OneToOneField(AuditEvent, on_delete=models.DO_NOTHING, related_name="seal")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"seal {self.pk}: #{self.event_id} {self.hash[:12]}"


class AuditChainHead(models.Model):
    """One row: the last seal's hash. Its row lock serialises the sealers, so that the chain has one order."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    sealed = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"chain head {self.last_hash[:12]} ({self.sealed})"
