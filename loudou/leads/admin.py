from django.contrib import admin

from loudou.leads.models import DedupePolicy, GradeRule, NeedMatchPolicy, SourceChannel


@admin.register(SourceChannel)
class SourceChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(GradeRule)
class GradeRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "grade", "priority", "name", "is_active"]
    list_filter = ["kind"]


@admin.register(NeedMatchPolicy)
class NeedMatchPolicyAdmin(admin.ModelAdmin):
    list_display = ["high_min", "medium_min"]


@admin.register(DedupePolicy)
class DedupePolicyAdmin(admin.ModelAdmin):
    list_display = ["api_action", "import_action"]
