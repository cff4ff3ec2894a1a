from django.contrib import admin

from loudou.assignment.models import Assignment, AssignmentRule, Handover, Pool, PoolEntry
from loudou.core.admin import ReadOnlyAdmin


@admin.register(Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "region",
        "product_line",
        "source",
        "max_claims_per_day",
        "max_holding",
        "protection_days",
        "cooldown_days",
        "previous_owner_cooldown_days",
        "is_active",
    ]
    list_editable = ["is_active"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "kind", "is_active"]
    list_display_links = ["name"]
    list_editable = ["order", "is_active"]


@admin.register(PoolEntry)
class PoolEntryAdmin(ReadOnlyAdmin):
    list_display = ["lead", "pool", "reason", "entered_at", "previous_owner", "cooldown_until"]
    list_filter = ["pool", "reason"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["lead", "user", "via", "rule", "at", "actor"]
    list_filter = ["via"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["from_user", "spread", "at", "actor"]
