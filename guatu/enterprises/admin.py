from django.contrib import admin

from guatu.enterprises.models import Enterprise, EnterpriseFigure
from guatu.web.admin_mixins import ReadOnlyAdmin


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "uscc", "unit", "chain", "above_scale", "is_chain_master"]
    list_filter = ["above_scale", "is_chain_master"]
    search_fields = ["name", "uscc"]


@admin.register(EnterpriseFigure)
class EnterpriseFigureAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "output", "tax"]
