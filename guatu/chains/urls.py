from django.urls import path

from guatu.chains import views

app_name = "chains"

urlpatterns = [
    path("", views.chain_list, name="list"),
    path("mine/", views.my_chains, name="mine"),
    path("<int:pk>/", views.chain_detail, name="detail"),
    path("<int:pk>/edit/", views.chain_edit, name="edit"),
    path("<int:pk>/<slug:part>/add/", views.part_add, name="part_add"),
    path("<int:pk>/<slug:part>/<int:item>/edit/", views.part_edit, name="part_edit"),
    path("<int:pk>/<slug:part>/<int:item>/delete/", views.part_delete, name="part_delete"),
    path("chief/<int:pk>/", views.chief, name="chief"),
]
