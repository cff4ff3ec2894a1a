"""The admin site: administrators only, and every save and delete in the audit log.

Models are registered on it as usual (`@admin.register`); registration wraps each
ModelAdmin in `AuditedAdminMixin`, so no admin page can change data unrecorded
(core.tests.test_admin_audit checks every registered one). Django's LogEntry keeps only
a message; the audit log keeps who, when, and each field before and after."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

#: Fields whose values never go into the log (hashes, secrets, tokens).
SECRET_FIELDS = {"password", "digest", "secret", "token"}


def _plain(name: str, value):
    from loudou.core.audit import plain

    if name in SECRET_FIELDS:
        return "***" if value else ""
    if hasattr(value, "__iter__") and not isinstance(value, (str, bytes, dict)):
        return [str(item) for item in value]
    return plain(value)


def form_changes(form) -> list[dict]:
    """[{field, before, after}] for each field the admin form changed."""
    return [
        {
            "field": name,
            "before": _plain(name, form.initial.get(name)),
            "after": _plain(name, form.cleaned_data.get(name)),
        }
        for name in form.changed_data
    ]


class AuditedAdminMixin:
    """Records admin.added / admin.changed / admin.deleted events (reason "admin").

    An admin that saves through the audited services (`records_own_events = True`, e.g.
    the pipeline admin through save_pipeline / save_stage) is not logged twice."""

    def _record(self, request, obj, verb: str, changes=None) -> None:
        from loudou.core.audit import record

        if getattr(self, "records_own_events", False):  # set on the admin class itself
            return
        record(obj=obj, actor=request.user, verb=verb, changes=changes, reason="admin")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._record(request, obj, "admin.changed" if change else "admin.added", form_changes(form))

    def delete_model(self, request, obj):
        self._record(request, obj, "admin.deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record(request, obj, "admin.deleted")
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                self._record(request, deleted.instance, "admin.deleted")
        super().save_formset(request, form, formset, change)
        for inline in formset.forms:
            if inline in formset.deleted_forms or not inline.has_changed():
                continue
            verb = "admin.changed" if inline.initial else "admin.added"
            self._record(request, inline.instance, verb, form_changes(inline))


class AuditedAdminSite(admin.AdminSite):
    site_header = _("漏斗 Loudou 组织管理")
    site_title = _("漏斗 Loudou")

    def has_permission(self, request) -> bool:
        """Active organisation administrators only."""
        user = request.user
        return user.is_active and user.is_authenticated and user.is_org_admin

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


class LoudouAdminConfig(AdminConfig):
    """django.contrib.admin with the audited site as `admin.site`."""

    default_site = "loudou.core.admin_site.AuditedAdminSite"
