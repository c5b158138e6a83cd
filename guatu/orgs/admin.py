from django.contrib import admin

from guatu.orgs.models import Leader, OrgUnit
from guatu.web.admin_mixins import ReadOnlyAdmin


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "short_name", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    list_select_related = ["parent"]


@admin.register(Leader)
class LeaderAdmin(ReadOnlyAdmin):
    list_display = ["name", "post", "org_unit", "is_principal"]
    search_fields = ["name", "post"]
    list_select_related = ["org_unit"]
