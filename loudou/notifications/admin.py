"""Notifications in the admin: read-only notifications and outbox, editable team robots."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from loudou.core.admin import ReadOnlyAdmin
from loudou.notifications import services
from loudou.notifications.choices import DeliveryStatus
from loudou.notifications.models import Delivery, Notification, PeriodicJob, RobotConfig


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "dedupe_key", "user__username", "user__display_name"]
    list_select_related = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "notification",
        "channel",
        "target",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "attempts", ("last_error", admin.EmptyFieldListFilter)]
    search_fields = ["target", "last_error", "notification__title"]
    list_select_related = ["notification"]
    actions = ["retry_now"]

    @admin.action(description=_("立即重试失败的投递"), permissions=["view"])
    def retry_now(self, request, queryset):
        ids = list(queryset.filter(status=DeliveryStatus.FAILED).values_list("pk", flat=True))
        count = services.retry_failed(actor=request.user, ids=ids)
        message = ngettext("%(n)d 条投递已重新排队。", "%(n)d 条投递已重新排队。", count)
        self.message_user(request, message % {"n": count}, messages.SUCCESS)


class RobotConfigForm(forms.ModelForm):
    """The secret is write-only: left blank it keeps the stored one."""

    secret = forms.CharField(
        label=_("加签密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("留空则保留原密钥。"),
    )
    clear_secret = forms.BooleanField(label=_("清除密钥"), required=False)

    class Meta:
        model = RobotConfig
        fields = ["team", "kind", "name", "webhook_url", "secret", "is_active"]


@admin.register(RobotConfig)
class RobotConfigAdmin(admin.ModelAdmin):
    form = RobotConfigForm
    list_display = ["team", "kind", "name", "webhook_url", "is_active"]
    list_filter = ["kind", "is_active", "team"]
    fields = ["team", "kind", "name", "webhook_url", "secret", "clear_secret", "is_active"]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in RobotConfigForm.Meta.fields}
        if form.cleaned_data["clear_secret"]:
            values["secret"] = ""
        elif not values["secret"]:
            values.pop("secret")
        robot = services.save_robot(
            actor=request.user,
            robot=RobotConfig.objects.get(pk=obj.pk) if change else None,
            values=values,
        )
        obj.pk = robot.pk

    def save_form(self, request, form, change):
        return form.save(commit=False)


@admin.register(PeriodicJob)
class PeriodicJobAdmin(ReadOnlyAdmin):
    list_display = ["path", "next_run_at", "last_run_at", "last_run_by"]
