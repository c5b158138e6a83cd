from django.contrib import admin

from guatu.reserve.models import EntryRule, FundingApplication, PromotionGate
from guatu.web.admin_mixins import ReadOnlyAdmin


@admin.register(EntryRule)
class EntryRuleAdmin(ReadOnlyAdmin):
    list_display = ["jurisdiction", "tier", "category", "min_investment", "version"]


@admin.register(PromotionGate)
class PromotionGateAdmin(ReadOnlyAdmin):
    list_display = ["jurisdiction", "tier", "version"]


@admin.register(FundingApplication)
class FundingApplicationAdmin(ReadOnlyAdmin):
    list_display = ["project", "kind", "year", "amount_requested", "amount_approved", "status"]
    list_filter = ["kind", "status", "year"]
