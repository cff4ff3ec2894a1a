from django.urls import reverse
from django.utils.translation import gettext as _

from loudou.org.choices import Role


def navigation(request) -> dict:
    """The navigation that fits the user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        (reverse("home"), _("工作台")),
        (reverse("leads:list"), _("线索")),
        (reverse("customers:list"), _("客户")),
        (reverse("pipeline:board"), _("看板")),
        (reverse("activities:agenda"), _("日程")),
        (reverse("analytics:funnel"), _("分析")),
    ]
    if user.role != Role.MARKETING:
        items.append((reverse("health:exceptions"), _("意外状态")))
        items.append((reverse("assignment:pools"), _("公海")))
        items.append((reverse("teamwork:home"), _("协作")))
        items.append((reverse("commerce:home"), _("合同")))
        items.append((reverse("service:home"), _("服务")))
    if user.sees_all or user.role == Role.MANAGER:
        items.append((reverse("assignment:handover"), _("交接")))
        items.append((reverse("targets:list"), _("目标")))
    if user.is_org_admin:
        items.append((reverse("admin:index"), _("组织管理")))
        items.append((reverse("compliance:subjects"), _("个人信息")))
    items.append(("/api/docs", _("API")))
    path = request.path
    return {
        "nav_items": [
            {"url": url, "label": label, "active": url != "/" and path.startswith(url)}
            for url, label in items
        ]
    }
