"""Read-only admin: targets, plans and improvement actions are written through their pages
and API (the services keep the history and the permissions)."""

from django.contrib import admin

from loudou.targets.models import (
    ImprovementAction,
    Milestone,
    StrategyPlan,
    Target,
    TargetAdjustment,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Target)
class TargetAdmin(ReadOnly):
    list_display = ["id", "period", "start", "metric", "scope_kind", "scope_key", "value"]
    list_filter = ["period", "metric", "scope_kind"]


@admin.register(TargetAdjustment)
class TargetAdjustmentAdmin(ReadOnly):
    list_display = ["target", "at", "actor", "before", "after"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StrategyPlan)
class StrategyPlanAdmin(ReadOnly):
    list_display = ["title", "team", "target", "created_at"]
    inlines = [MilestoneInline]


@admin.register(ImprovementAction)
class ImprovementActionAdmin(ReadOnly):
    list_display = ["id", "period", "period_start", "team", "owner", "deadline", "status"]
    list_filter = ["status", "period"]
