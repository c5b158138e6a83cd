from django.contrib import admin

from guatu.reports.models import MonthlyReport
from guatu.web.admin_mixins import ReadOnlyAdmin


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["project", "year", "month", "amount", "status", "updated_at"]
    list_filter = ["status", "year", "month"]
    search_fields = ["project__name", "project__code"]
    list_select_related = ["project"]
