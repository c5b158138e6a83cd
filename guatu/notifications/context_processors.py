from django.utils.functional import SimpleLazyObject

from guatu.notifications.models import Notification


def inbox(request):
    """The unread count for the nav; counted only when a page shows it (one indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: Notification.objects.filter(user=user).unread().count())}
