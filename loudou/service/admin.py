"""Customer service in the admin site: to look up, not to edit (changes go through the
pages and the API, whose services check permissions and write the audit log)."""

from django.contrib import admin

from loudou.service.models import (
    CustomerTier,
    DueAction,
    Evaluation,
    MaintenancePlan,
    PlanAction,
    SlaPolicy,
    Ticket,
    TierThreshold,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TierThreshold)
class TierThresholdAdmin(ReadOnlyAdmin):
    list_display = ["tier", "min_amount"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyAdmin):
    list_display = ["tier", "response_hours", "resolution_hours"]


@admin.register(CustomerTier)
class CustomerTierAdmin(ReadOnlyAdmin):
    list_display = ["customer", "tier", "computed_tier", "override_tier", "annual_purchase", "year"]
    list_filter = ["tier"]
    list_select_related = ["customer"]


class PlanActionInline(admin.TabularInline):
    model = PlanAction
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "tier"]
    inlines = [PlanActionInline]


@admin.register(DueAction)
class DueActionAdmin(ReadOnlyAdmin):
    list_display = ["customer", "action", "due_on", "status", "owner", "done_on"]
    list_filter = ["status"]
    list_select_related = ["customer", "action", "owner"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["customer", "year", "quarter", "rating", "evaluated_by"]
    list_select_related = ["customer", "evaluated_by"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["subject", "customer", "status", "tier", "assignee", "escalation"]
    list_filter = ["status", "tier", "response_breached", "resolution_breached"]
    list_select_related = ["customer", "assignee"]
