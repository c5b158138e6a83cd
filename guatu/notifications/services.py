"""Sending notifications: one inbox row per person and event, and an email copy after the commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from guatu import clock
from guatu.notifications.models import Notification


def notify(*, users: Iterable, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str) -> int:
    """Notify each user once per dedupe_key; returns how many new notifications were written."""
    users = [u for u in {u.pk: u for u in users if u is not None and u.is_active}.values()]
    if not users:
        return 0
    already = set(
        Notification.objects.filter(user__in=users, dedupe_key=dedupe_key).values_list("user_id", flat=True)
    )
    fresh = [u for u in users if u.pk not in already]
    now = clock.now()
    Notification.objects.bulk_create(
        [
            Notification(
                user=u, kind=kind, title=title, body=body, url=url, dedupe_key=dedupe_key, created_at=now
            )
            for u in fresh
        ]
    )
    recipients = [u.email for u in fresh if u.email]
    if recipients:
        transaction.on_commit(
            lambda: send_mail(
                title, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True
            )
        )
    return len(fresh)


def notification_mark_read(*, notification: Notification, by) -> None:
    if notification.user_id != by.pk or notification.read_at:
        return
    notification.read_at = clock.now()
    notification.save(update_fields=["read_at"])
