"""The inbox: a person's notifications, unread first; opening or marking one read is a POST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guatu.notifications.models import Notification
from guatu.notifications.services import notification_mark_read
from guatu.web.forms import safe_next

PAGE_SIZE = 50


def _own(user, pk) -> Notification:
    """One of the user's own notifications; anyone else's does not exist for them."""
    try:
        return Notification.objects.get(user=user, pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("notification not found") from None


@login_required
def inbox(request):
    notifications = Notification.objects.filter(user=request.user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "notifications": list(page)})


@login_required
@require_POST
def mark_read(request, pk):
    """Mark one notification read; with `open`, go on to what it is about."""
    notification = _own(request.user, pk)
    notification_mark_read(notification=notification, by=request.user)
    if "open" in request.POST:
        target = safe_next(request, notification.url)
        if target:
            return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    unread = list(Notification.objects.filter(user=request.user).unread())
    for notification in unread:
        notification_mark_read(notification=notification, by=request.user)
    if unread:
        messages.success(request, _("All notifications marked read."))
    return redirect("notifications:inbox")
