from django.urls import path

from guatu.attraction import views

app_name = "attraction"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("export.xlsx", views.lead_export, name="export"),
    path("new/", views.lead_create, name="create"),
    path("performance/", views.performance, name="performance"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.lead_edit, name="edit"),
    path("<int:pk>/step/<str:action>/", views.lead_step, name="step"),
    path("<int:pk>/follow-up/", views.lead_follow_up, name="follow_up"),
    path("<int:pk>/funds/", views.lead_funds, name="funds"),
    path("<int:pk>/convert/", views.lead_convert, name="convert"),
]
