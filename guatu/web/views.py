from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import redirect
from django.template import loader

from guatu.accounts.forms import SignInForm


@login_required
def home(request):
    return redirect("investment:summary")


class LoginView(auth_views.LoginView):
    """Django's login page, titled with the site's name (settings.SITE_NAME) rather than the host name and
    port its `site_name` context would otherwise carry (RequestSite without django.contrib.sites)."""

    template_name = "web/login.html"
    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "site_name": settings.SITE_NAME}


def server_error(request, template_name="500.html"):
    """The 500 page in the page frame, rendered without the request's context processors (they read the
    database, which may be what failed): only the site's name, from the settings."""
    html = loader.get_template(template_name).render({"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)
