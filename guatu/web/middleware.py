"""Web hardening middleware (issue 11)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from guatu import clock
from guatu.web.forms import safe_next
from guatu.web.models import UsedFormToken

FORM_TOKEN = "form_token"
_TOKEN = re.compile(r"[0-9a-f]{32}")
# How long a used token is kept: past this, the page it came from is long gone.
TOKEN_KEEP = timedelta(days=1)


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` (with no-cache, must-revalidate, private) on every response to a signed-in
    user, so that neither a shared proxy nor the browser's history keeps a page of project figures, names or
    a downloaded file after the user has left. Static files never get here: WhiteNoise answers them earlier
    in MIDDLEWARE, with their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class OneTimeFormTokenMiddleware:
    """A form posted with a token already used is not handled again: the user goes back to the page they came
    from with a message, and nothing is written twice. The token is recorded before the view runs (a unique row:
    of two identical posts racing, one wins); a form re-rendered with errors is a new page with a new token.
    Posts without a token (the API, scripts, forms htmx sends itself) pass: versioned records refuse a second
    save by their version anyway (guatu.audit.workflow.check_version)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not request.path_info.startswith("/api/"):
            token = request.POST.get(FORM_TOKEN)
            if token is not None and _TOKEN.fullmatch(token) and not self._first_use(request, token):
                messages.warning(
                    request, _("This form was already submitted: it was not handled a second time.")
                )
                referer = urlsplit(request.META.get("HTTP_REFERER", ""))
                back = f"{referer.path}?{referer.query}" if referer.query else referer.path
                return redirect(
                    safe_next(request, back if referer.netloc == request.get_host() else "") or "home"
                )
        return self.get_response(request)

    @staticmethod
    def _first_use(request, token: str) -> bool:
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        now = clock.now()
        try:
            with transaction.atomic():
                UsedFormToken.objects.create(token=token, user=user, at=now)
        except IntegrityError:
            return False
        if token.startswith("00"):  # about one post in 256 clears the tokens past keeping
            UsedFormToken.objects.filter(at__lt=now - TOKEN_KEEP).delete()
        return True
