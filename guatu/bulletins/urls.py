from django.urls import path

from guatu.bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_new, name="new"),
]
