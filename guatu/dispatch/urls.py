from django.urls import path

from guatu.dispatch.views import exports, meetings, mywork, orders, problems

app_name = "dispatch"
urlpatterns = [
    path("", mywork.my_work, name="my_work"),
    path("problems/", problems.problem_list, name="problem_list"),
    path("problems/export.xlsx", exports.problem_export, name="problem_export"),
    path("problems/new/", problems.problem_raise, name="problem_raise"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem"),
    path("problems/<int:pk>/assign/", problems.problem_assign, name="problem_assign"),
    path("problems/<int:pk>/feedback/", problems.problem_feedback, name="problem_feedback"),
    path(
        "problems/<int:pk>/feedback/<int:feedback_pk>/attachment/",
        problems.feedback_attachment,
        name="feedback_attachment",
    ),
    path("problems/<int:pk>/verify/", problems.problem_verify, name="problem_verify"),
    path("problems/<int:pk>/close/", problems.problem_close, name="problem_close"),
    path("problems/<int:pk>/reopen/", problems.problem_reopen, name="problem_reopen"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/export.xlsx", exports.order_export, name="order_export"),
    path("orders/bulletin/", orders.order_bulletin, name="order_bulletin"),
    path("orders/new/", orders.order_issue, name="order_issue"),
    path("orders/<int:pk>/", orders.order_detail, name="order"),
    path("orders/<int:pk>/respond/", orders.order_respond, name="order_respond"),
    path("orders/<int:pk>/close/", orders.order_close, name="order_close"),
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/items/", meetings.meeting_add_item, name="meeting_add_item"),
    path("meetings/<int:pk>/decisions/", meetings.meeting_decision_add, name="meeting_decision_add"),
    path(
        "meetings/<int:pk>/decisions/<int:decision_pk>/",
        meetings.meeting_decision_edit,
        name="meeting_decision_edit",
    ),
    path(
        "meetings/<int:pk>/decisions/<int:decision_pk>/remove/",
        meetings.meeting_decision_remove,
        name="meeting_decision_remove",
    ),
    path("meetings/<int:pk>/agenda.docx", meetings.meeting_agenda_docx, name="meeting_agenda_docx"),
    path("meetings/<int:pk>/minutes.docx", meetings.meeting_minutes_docx, name="meeting_minutes_docx"),
]
