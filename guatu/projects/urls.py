from django.urls import path

from guatu.projects.views import edit, library, schedule, tags

app_name = "projects"
urlpatterns = [
    path("", library.project_list, name="list"),
    path("export.xlsx", library.project_export, name="export"),
    path("<int:pk>/", library.project_detail, name="detail"),
    # maintaining the library: a project and its "five ones", its stage (views/edit.py)
    path("new/", edit.project_new, name="new"),
    path("<int:pk>/edit/", edit.project_edit, name="edit"),
    path("<int:pk>/cancel/", edit.project_cancel, name="cancel"),
    path("<int:pk>/restore/", edit.project_restore, name="restore"),
    path("<int:pk>/stage/", edit.project_stage, name="stage"),
    # a project's schedule: milestones and annual plans (views/schedule.py)
    path("<int:pk>/milestones/add/", schedule.milestone_add, name="milestone_add"),
    path("<int:pk>/milestones/<int:milestone_pk>/edit/", schedule.milestone_edit, name="milestone_edit"),
    path("<int:pk>/milestones/<int:milestone_pk>/done/", schedule.milestone_complete, name="milestone_complete"),
    path("<int:pk>/milestones/<int:milestone_pk>/delete/", schedule.milestone_delete, name="milestone_delete"),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/attachment/",
        schedule.milestone_attachment,
        name="milestone_attachment",
    ),
    path("<int:pk>/plans/<int:year>/", schedule.plan_edit, name="plan_edit"),
    # the list of level tags (views/tags.py)
    path("tags/", tags.tag_list, name="tag_list"),
    path("tags/add/", tags.tag_add, name="tag_add"),
    path("tags/<int:pk>/edit/", tags.tag_edit, name="tag_edit"),
    path("tags/<int:pk>/delete/", tags.tag_delete, name="tag_delete"),
]
