from django.contrib import admin

from loudou.webforms.models import WebForm


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "token", "is_active", "lead_count", "spam_count"]
    readonly_fields = ["lead_count", "spam_count"]
