"""Web hardening middleware (issue 11)."""

from django.utils.cache import add_never_cache_headers


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
