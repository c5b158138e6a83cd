from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audited data is changed only through services; the admin may look, not write."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
