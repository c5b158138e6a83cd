from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from guatu.accounts.models import User
from guatu.accounts.services import user_save_edited


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "org_unit", "role", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    list_select_related = ["org_unit"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Guatu"), {"fields": ["org_unit", "role", "leader", "phone"]}),
    ]
    autocomplete_fields = ["org_unit", "leader"]

    def save_model(self, request, obj, form, change):
        user_save_edited(user=obj, by=request.user)
