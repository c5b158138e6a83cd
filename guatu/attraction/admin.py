from django.contrib import admin

from guatu.attraction.models import FundsInPlace, Lead, LeadFollowUp
from guatu.web.admin_mixins import ReadOnlyAdmin


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ["name", "investor", "responsible_unit", "chain", "status", "contract_amount", "promised_start"]
    list_filter = ["status", "source"]
    search_fields = ["name", "investor"]
    list_select_related = ["responsible_unit", "chain"]


@admin.register(LeadFollowUp)
class LeadFollowUpAdmin(ReadOnlyAdmin):
    list_display = ["lead", "date", "text", "by"]
    list_select_related = ["lead", "by"]


@admin.register(FundsInPlace)
class FundsInPlaceAdmin(ReadOnlyAdmin):
    list_display = ["lead", "year", "month", "domestic", "foreign"]
    list_select_related = ["lead"]
