from django.urls import path

from guatu.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/new/", views.problem_raise, name="problem_raise"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/assign/", views.problem_assign, name="problem_assign"),
    path("problems/<int:pk>/feedback/", views.problem_feedback, name="problem_feedback"),
    path(
        "problems/<int:pk>/feedback/<int:feedback_pk>/attachment/",
        views.feedback_attachment,
        name="feedback_attachment",
    ),
    path("problems/<int:pk>/verify/", views.problem_verify, name="problem_verify"),
    path("problems/<int:pk>/close/", views.problem_close, name="problem_close"),
    path("problems/<int:pk>/reopen/", views.problem_reopen, name="problem_reopen"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/bulletin/", views.order_bulletin, name="order_bulletin"),
    path("orders/new/", views.order_issue, name="order_issue"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/respond/", views.order_respond, name="order_respond"),
    path("orders/<int:pk>/close/", views.order_close, name="order_close"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/items/", views.meeting_add_item, name="meeting_add_item"),
]
