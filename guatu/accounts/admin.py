from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp import admin as _totp_admin  # noqa: F401 - registers it, to unregister below
from django_otp.plugins.otp_totp.models import TOTPDevice

from guatu.accounts.models import User
from guatu.accounts.services import user_access_recorded, user_access_saved, user_save_edited

# Two-factor devices change only through the audited services (set up by their user, reset from the user page),
# never through django-otp's admin pages, which would also show every secret. Its admin module is imported above,
# so that the order in which the apps' admin modules load does not matter.
admin.site.unregister(TOTPDevice)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users are edited here too, but every save goes through the audited services: a change of unit, role,
    active, staff or superuser status, groups or permissions leaves an audit event saying who made it."""

    list_display = ["username", "first_name", "last_name", "org_unit", "role", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    list_select_related = ["org_unit"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Guatu"), {"fields": ["org_unit", "role", "leader", "phone", "must_change_password"]}),
    ]
    autocomplete_fields = ["org_unit", "leader"]

    def save_model(self, request, obj, form, change):
        user_save_edited(user=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = user_access_recorded(user) if change else {"groups": [], "user_permissions": []}
        # The form's many-to-many values are saved by super(); read what was there first.
        super().save_related(request, form, formsets, change)
        user_access_saved(user=user, before=before, by=request.user)
