from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    return redirect("investment:summary")


class LoginView(auth_views.LoginView):
    """Django's login page, titled with the site's name (settings.SITE_NAME) rather than the host name and
    port its `site_name` context would otherwise carry (RequestSite without django.contrib.sites)."""

    template_name = "web/login.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "site_name": settings.SITE_NAME}
