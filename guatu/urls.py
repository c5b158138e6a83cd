from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from guatu.api import api
from guatu.web import lookups
from guatu.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/login/", web_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("guatu.accounts.urls")),
    path("org/", include("guatu.orgs.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("lookup/<slug:kind>/", lookups.lookup_options, name="lookup"),  # the filter bars' pickers
    path("projects/", include("guatu.projects.urls")),
    path("reports/", include("guatu.reports.urls")),
    path("investment/", include("guatu.investment.urls")),
    path("dispatch/", include("guatu.dispatch.urls")),
    path("lights/", include("guatu.lights.urls")),
    path("inbox/", include("guatu.notifications.urls")),
    path("assessment/", include("guatu.assessment.urls")),
    path("imports/", include("guatu.imports.urls")),
    path("battlemap/", include("guatu.battlemap.urls")),
    path("jobs/", include("guatu.jobs.urls")),
    path("bulletins/", include("guatu.bulletins.urls")),
    path("enterprises/", include("guatu.enterprises.urls")),
    path("chains/", include("guatu.chains.urls")),
    path("attraction/", include("guatu.attraction.urls")),
    path("reserve/", include("guatu.reserve.urls")),
    path("audit/", include("guatu.audit.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler500 = "guatu.web.views.server_error"
