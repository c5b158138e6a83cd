from django.conf import settings

from guatu.access import gateway


def site(request):
    user = getattr(request, "user", None)
    return {
        "site_name": settings.SITE_NAME,
        "is_reviewer": bool(user and gateway.is_reviewer(user)),
    }
