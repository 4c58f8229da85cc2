from django.contrib import admin

from qorgau.accounts import policy
from qorgau.core.models import ChangeRecord

# Django's admin is for the city supervisor only, whatever flags an account carries.
admin.site.has_permission = lambda request: request.user.is_active and policy.can_use_admin(request.user)
admin.site.site_header = "Qorgau"


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr", "school")
    list_filter = ("action", "object_type")
    list_select_related = ("actor", "school")

    # History is a record of what happened: nobody edits it, not even here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
