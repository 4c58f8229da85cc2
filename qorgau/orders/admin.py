"""Orders in the admin: to look, never to change.

"No way — page, API or admin — to change an issued order's text in place": every state change goes through
the services, which record it in the order's timeline. So nothing here may be added or changed, and the only
deletion allowed is of a draft order (with its items), which the school has never seen.
"""

from django.contrib import admin

from qorgau.orders.models import Amendment, Order, OrderEvent, OrderItem, SchoolReport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    fields = ("position", "found", "remedy", "severity", "fix_kind", "deadline", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "school", "district", "status", "issued_at", "delivery")
    list_filter = ("status", "district", "delivery")
    search_fields = ("school__name_ru", "school__name_kk", "school__bin")
    list_select_related = ("school", "district")
    inlines = [OrderItemInline]

    def has_delete_permission(self, request, obj=None):
        # Only a draft, one at a time (the bulk action would not look at each order's status).
        return (
            obj is not None
            and obj.status == Order.Status.DRAFT
            and super(ReadOnlyAdmin, self).has_delete_permission(request, obj)
        )

    def get_deleted_objects(self, objs, request):
        # A draft goes with its items and its timeline, which may not be deleted on their own.
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if all(obj.status == Order.Status.DRAFT for obj in objs):
            perms_needed = set()
        return to_delete, model_count, perms_needed, protected

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(OrderItem)
class OrderItemAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "severity", "deadline", "overdue_since", "referred_at")
    list_filter = ("status", "severity", "fix_kind")
    list_select_related = ("order__district",)
    search_fields = ("found", "order__school__name_ru")


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "old_deadline", "new_deadline", "by", "at")
    list_select_related = ("order__district", "by")


@admin.register(SchoolReport)
class SchoolReportAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "decision", "by", "at")
    list_filter = ("kind", "decision")
    list_select_related = ("item__order__district", "by")


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "order", "item", "actor")
    list_filter = ("action",)
    list_select_related = ("order__district", "item__order__district", "actor")
