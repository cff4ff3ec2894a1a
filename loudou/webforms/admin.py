from django.contrib import admin

from loudou.core.admin import ReadOnlyAdmin
from loudou.webforms.models import SpamSubmission, WebForm


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "channel",
        "token",
        "intake_mode",
        "is_active",
        "lead_count",
        "spam_count",
    ]
    readonly_fields = ["lead_count", "spam_count"]


@admin.register(SpamSubmission)
class SpamSubmissionAdmin(ReadOnlyAdmin):
    """Read-only: spam is stored by the public form, looked at here."""

    list_display = ["at", "form", "reason", "ip_hash", "payload"]
    list_filter = ["form", "reason"]
    search_fields = ["ip_hash"]
