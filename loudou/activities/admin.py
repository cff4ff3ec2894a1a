from django.contrib import admin

from loudou.activities.models import (
    CadenceRule,
    Holiday,
    ObjectionType,
    ScriptTemplate,
    WorkingHours,
)


@admin.register(CadenceRule)
class CadenceRuleAdmin(admin.ModelAdmin):
    list_display = ["grade", "first_response_hours", "touch_interval_days"]
    list_editable = ["first_response_hours", "touch_interval_days"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # every grade keeps a rule; edit it instead


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "start", "end"]
    list_editable = ["start", "end"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(ObjectionType)
class ObjectionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(ScriptTemplate)
class ScriptTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "industry", "stage", "is_active"]
    list_filter = ["is_active", "industry", "stage"]
    search_fields = ["title", "opening", "value_points"]
