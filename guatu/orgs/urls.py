from django.urls import path

from guatu.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:pk>/", views.unit_edit, name="unit"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/close/", views.unit_close, name="unit_close"),
    path("units/<int:pk>/reopen/", views.unit_reopen, name="unit_reopen"),
    path("leaders/new/", views.leader_new, name="leader_new"),
    path("leaders/<int:pk>/", views.leader_edit, name="leader"),
    path("leaders/<int:pk>/end/", views.leader_end, name="leader_end"),
]
