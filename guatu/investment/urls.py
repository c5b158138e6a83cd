from django.urls import path

from guatu.investment import views

app_name = "investment"
urlpatterns = [
    path("summary/", views.summary_page, name="summary"),
]
