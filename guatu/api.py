"""The JSON API (/api/v1/), with its OpenAPI schema at /api/v1/openapi.json. Session authentication."""

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI
from ninja.security import django_auth

from guatu.attraction.api import router as attraction_router
from guatu.battlemap.api import router as battlemap_router
from guatu.dispatch.api import router as dispatch_router
from guatu.enterprises.api import router as enterprises_router
from guatu.investment.api import router as investment_router
from guatu.lights.api import router as lights_router
from guatu.projects.api import router as projects_router

api = NinjaAPI(
    title="Guatu API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    docs_decorator=login_required,  # the schema and its docs page are for signed-in users
)
api.add_router("/investment/", investment_router)
api.add_router("/projects/", projects_router)
api.add_router("/battlemap", battlemap_router)
api.add_router("/lights", lights_router)
api.add_router("/dispatch/", dispatch_router)
api.add_router("/enterprises", enterprises_router)
api.add_router("/attraction/", attraction_router)
