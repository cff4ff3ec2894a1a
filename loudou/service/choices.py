from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """客户分级, highest first."""

    VIP = "vip", _("VIP客户")
    KEY = "key", _("重点客户")
    NORMAL = "normal", _("普通客户")


#: Tiers from the highest to the lowest threshold.
TIER_ORDER = [Tier.VIP, Tier.KEY, Tier.NORMAL]


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    ONCE = "once", _("一次")


class ActionKind(models.TextChoices):
    GREETING = "greeting", _("节日问候")
    REPORT = "report", _("行业报告")
    VISIT = "visit", _("拜访")
    TRAINING = "training", _("培训")
    OTHER = "other", _("其他")


class OwnerRule(models.TextChoices):
    """Who carries out a plan action for a customer."""

    CUSTOMER_OWNER = "customer_owner", _("客户负责人")
    TEAM_MANAGER = "team_manager", _("负责人所在团队经理")


class DueStatus(models.TextChoices):
    OPEN = "open", _("待执行")
    DONE = "done", _("已执行")
    SKIPPED = "skipped", _("已跳过")


class Priority(models.TextChoices):
    LOW = "low", _("低")
    NORMAL = "normal", _("中")
    HIGH = "high", _("高")
    URGENT = "urgent", _("紧急")


class TicketStatus(models.TextChoices):
    NEW = "new", _("新建")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")


#: Tickets in these states still run against their SLA clocks.
OPEN_STATUSES = {TicketStatus.NEW, TicketStatus.IN_PROGRESS}


class SlaView(models.TextChoices):
    """The SLA state a ticket list filters on."""

    ON_TRACK = "on_track", _("正常")
    AT_RISK = "at_risk", _("即将超时")
    BREACHED = "breached", _("已超时")


class Escalation(models.IntegerChoices):
    NONE = 0, _("未升级")
    MANAGER = 1, _("已升级至经理")
    DIRECTOR = 2, _("已升级至总监")


#: The audit verbs of the service app and how the pages name them.
EVENT_LABELS = {
    "service.tiers_changed": _("修改了分级标准"),
    "service.sla_changed": _("修改了服务时限"),
    "service.tier_computed": _("重新计算了客户级别"),
    "service.tier_overridden": _("手工调整了客户分级"),
    "service.tier_override_cleared": _("取消了手工分级"),
    "service.plan_changed": _("修改了维护计划"),
    "service.plan_action_added": _("添加了维护动作"),
    "service.plan_action_changed": _("修改了维护动作"),
    "service.action_done": _("记录了执行"),
    "service.action_skipped": _("跳过了维护动作"),
    "service.evaluated": _("评估了维护效果"),
    "service.ticket_opened": _("创建了工单"),
    "service.ticket_responded": _("回复了工单"),
    "service.ticket_assigned": _("指派了工单"),
    "service.ticket_resolved": _("解决了工单"),
    "service.ticket_closed": _("关闭了工单"),
    "service.ticket_reopened": _("重新打开了工单"),
    "service.ticket_rated": _("记录了满意度"),
    "service.ticket_escalated": _("升级了工单"),
}
