from django.urls import path

from guatu.battlemap import views

app_name = "battlemap"
urlpatterns = [
    path("", views.page, name="page"),
    path("wall/", views.wall, name="wall"),
]
