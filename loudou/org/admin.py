"""Organisation management for administrators (Django admin, in Chinese by default)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from loudou.org.models import ApiToken, Industry, ProductLine, Region, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "team", "capacity", "on_leave", "is_active"]
    list_filter = ["role", "team", "on_leave", "is_active"]
    search_fields = ["username", "display_name", "email"]
    filter_horizontal = ["specialty_industries", "specialty_regions"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["display_name", "email", "language"]}),
        (
            _("销售组织"),
            {
                "fields": [
                    "role",
                    "team",
                    "capacity",
                    "on_leave",
                    "specialty_industries",
                    "specialty_regions",
                ]
            },
        ),
        (_("状态"), {"fields": ["is_active", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "display_name", "role", "team", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "manager", "region"]


@admin.register(Region, Industry, ProductLine)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "label", "created_at", "last_used_at"]
    readonly_fields = ["user", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
