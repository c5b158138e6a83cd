from django.contrib import admin

from guatu.projects.models import IndustryChain, LevelTag, Project
from guatu.web.admin_mixins import ReadOnlyAdmin


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "stage", "tier", "location_unit", "lead_unit"]
    list_filter = ["stage", "tier", "category", "tags"]
    search_fields = ["name", "code", "owner"]
    list_select_related = ["location_unit", "lead_unit"]


@admin.register(LevelTag)
class LevelTagAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "bulletin_label", "sort_order", "in_bulletin"]


@admin.register(IndustryChain)
class IndustryChainAdmin(ReadOnlyAdmin):
    list_display = ["name", "chief", "lead_unit"]
