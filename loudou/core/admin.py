from django.contrib import admin

from loudou.core.models import Event


class ReadOnlyAdmin(admin.ModelAdmin):
    """For ledgers and logs that only services write: no add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["created_at", "actor", "verb", "content_type", "object_id"]
    list_filter = ["verb", "content_type"]
