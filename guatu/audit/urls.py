from django.urls import path

from guatu.audit import views

app_name = "audit"

urlpatterns = [
    path("log/", views.log, name="log"),
]
