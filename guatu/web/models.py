"""One-time form tokens: every form the site renders carries a random token (guatu/web/static/guatu/site.js adds
it), and a token is accepted once (guatu.web.middleware.OneTimeFormTokenMiddleware). A double click, a reload
that re-posts, or the back button and submit again is refused instead of creating the problem, the project or
the lead twice."""

from django.conf import settings
from django.db import models


class UsedFormToken(models.Model):
    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.token} {self.at:%Y-%m-%d %H:%M}"
