"""In-app notifications (the inbox); email copies go out through Django's mail backend."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    RAISED = "raised", _("Problem raised")
    ASSIGNED = "assigned", _("Problem assigned")
    DUE_SOON = "due_soon", _("Deadline in 3 days")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated to me")
    SUPERVISION = "supervision", _("Supervision order")
    REPORT_RETURNED = "report_returned", _("Report returned")
    REPORT_APPROVED = "report_approved", _("Report approved")
    ASSESSMENT = "assessment", _("Assessment result")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # The same event never notifies the same person twice (reruns of scheduled jobs are harmless).
    dedupe_key = models.CharField(max_length=150)
    created_at = models.DateTimeField(_("time"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once")]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.title
