from django.urls import path

from guatu.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
]
