"""The JSON API (/api/v1/), with its OpenAPI schema at /api/v1/openapi.json. Session authentication."""

from ninja import NinjaAPI
from ninja.security import django_auth

from guatu.investment.api import router as investment_router
from guatu.projects.api import router as projects_router

api = NinjaAPI(title="Guatu API", version="1", auth=django_auth, urls_namespace="api")
api.add_router("/investment/", investment_router)
api.add_router("/projects/", projects_router)
