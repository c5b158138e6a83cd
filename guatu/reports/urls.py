from django.urls import path

from guatu.reports import exports, views, workbook_views

app_name = "reports"
urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/export.xlsx", exports.review_queue_export, name="review_queue_export"),
    path("review/approve/", views.review_queue_approve, name="bulk_approve"),
    path("due/", views.reports_due, name="due"),
    path("workbook/<int:unit_pk>/<str:period>/", workbook_views.workbook_upload, name="workbook"),
    path(
        "workbook/<int:unit_pk>/<str:period>/template.xlsx",
        workbook_views.workbook_template,
        name="workbook_template",
    ),
    path("project/<int:project_pk>/<str:period>/", views.report_edit, name="edit"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/submit/", views.report_submit_view, name="submit"),
    path("<int:pk>/return/", views.report_return_view, name="return"),
    path("<int:pk>/approve/", views.report_approve_view, name="approve"),
    path("<int:pk>/unlock/", views.report_unlock_view, name="unlock"),
]
