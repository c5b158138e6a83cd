from django.urls import path

from guatu.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export.xlsx", views.enterprise_export, name="export"),
    path("new/", views.enterprise_new, name="new"),
    path("requests/figures/", views.request_figures, name="request_figures"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/figures/", views.enterprise_figures, name="figures"),
    path("<int:pk>/requests/new/", views.request_raise, name="request_raise"),
]
