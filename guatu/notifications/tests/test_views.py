"""The inbox: a person's own notifications, unread first; marking read is a POST; the nav shows the count."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from guatu.notifications.models import Notification
from guatu.notifications.services import notify

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")


def page(response) -> str:
    return response.content.decode()


def read_url(notification):
    return reverse("notifications:mark_read", args=[notification.pk])


@pytest.fixture
def inbox(world):
    """Three notifications of the housing department's reporter, the oldest one read; one of someone else."""
    w = world
    start = timezone.now() - timedelta(days=3)
    for day, (kind, title) in enumerate(
        [
            ("assigned", "问题已交办市住建局：征地"),
            ("due_soon", "2022-03-10 到期：征地"),
            ("overdue", "问题逾期：征地"),
        ]
    ):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            notify(
                users=[w.dept_reporter],
                kind=kind,
                title=title,
                url="/dispatch/problems/1/",
                dedupe_key=f"k{day}",
            )
    notify(users=[w.outsider], kind="assigned", title="别人的消息", dedupe_key="other")
    first = Notification.objects.get(user=w.dept_reporter, dedupe_key="k0")
    first.read_at = timezone.now()
    first.save(update_fields=["read_at"])
    return {n.dedupe_key: n for n in Notification.objects.filter(user=w.dept_reporter)}


def test_inbox_lists_own_notifications_unread_first(client, world, inbox):
    client.force_login(world.dept_reporter)
    html = page(client.get(INBOX))
    positions = [html.index(f'data-notification="{inbox[key].pk}"') for key in ("k2", "k1", "k0")]
    assert positions == sorted(positions)  # unread newest first, then read
    assert "别人的消息" not in html
    assert "2 条未读" in html and "逾期" in html and "3天内到期" in html
    assert 'id="nav-unread" data-count="2"' in html


def test_marking_read_and_opening(client, world, inbox):
    client.force_login(world.dept_reporter)
    response = client.post(read_url(inbox["k1"]))
    assert response.status_code == 302 and response.url == INBOX
    assert Notification.objects.get(pk=inbox["k1"].pk).read_at is not None
    response = client.post(read_url(inbox["k2"]), {"open": "1"})
    assert response.url == "/dispatch/problems/1/"
    assert not Notification.objects.filter(user=world.dept_reporter).unread().exists()
    assert 'id="nav-unread"' not in page(client.get(INBOX))


def test_mark_all_read(client, world, inbox):
    client.force_login(world.dept_reporter)
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=world.dept_reporter).unread().exists()
    assert Notification.objects.filter(user=world.outsider).unread().count() == 1


def test_an_outside_link_is_not_followed(client, world):
    notify(users=[world.reporter], kind="assigned", title="x", url="https://example.com/", dedupe_key="ext")
    client.force_login(world.reporter)
    response = client.post(read_url(Notification.objects.get()), {"open": "1"})
    assert response.url == INBOX


def test_someone_elses_notification_does_not_exist_for_me(client, world, inbox):
    client.force_login(world.outsider)
    assert client.post(read_url(inbox["k1"])).status_code == 404
    assert Notification.objects.get(pk=inbox["k1"].pk).read_at is None
    assert client.post(reverse("notifications:mark_read", args=[99999])).status_code == 404


def test_marking_read_needs_a_post(client, world, inbox):
    client.force_login(world.dept_reporter)
    assert client.get(read_url(inbox["k1"])).status_code == 405
    assert Notification.objects.get(pk=inbox["k1"].pk).read_at is None


def test_anonymous_goes_to_login(client, world, inbox):
    for response in (
        client.get(INBOX),
        client.post(read_url(inbox["k1"])),
        client.post(reverse("notifications:mark_all_read")),
    ):
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Notification.objects.get(pk=inbox["k1"].pk).read_at is None


def test_inbox_query_count_does_not_grow(client, world, django_assert_num_queries):
    def add(n, start):
        notify(users=[world.reporter] * 1, kind="assigned", title="x", dedupe_key=f"a{start}")
        for i in range(n):
            notify(users=[world.reporter], kind="overdue", title=f"逾期{i}", dedupe_key=f"n{start}-{i}")

    add(2, 0)
    client.force_login(world.reporter)
    client.get(INBOX)
    # session, user, page count, rows, unread count (shared by the heading and the nav), the nav's unit
    with django_assert_num_queries(6) as few:
        client.get(INBOX)
    add(7, 1)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(INBOX)


def test_unread_count_is_not_counted_for_anonymous_pages(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("login")).status_code == 200
