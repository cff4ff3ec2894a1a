from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """Intent grade 意向等级 and customer rating 客户评级 share the A/B/C scale."""

    A = "A", _("A")
    B = "B", _("B")
    C = "C", _("C")


INTENT_LABELS = {"A": _("高"), "B": _("中"), "C": _("低")}


class NeedLevel(models.TextChoices):
    EXPLICIT = "explicit", _("明确需求")
    INITIAL = "initial", _("初步兴趣")
    AWARE = "aware", _("仅有了解")
    UNKNOWN = "unknown", _("未知")


class BudgetFit(models.TextChoices):
    FITS = "fits", _("预算匹配")
    TIGHT = "tight", _("预算偏紧")
    NONE = "none", _("无预算")
    UNKNOWN = "unknown", _("未知")


class DecisionCycle(models.TextChoices):
    WITHIN_1M = "1m", _("1个月内")
    M1_3 = "1_3m", _("1-3个月")
    OVER_3M = "3m_plus", _("3个月以上")
    UNKNOWN = "unknown", _("未知")


class CustomerType(models.TextChoices):
    INBOUND = "inbound", _("主动咨询")
    TRIAL = "trial", _("试用用户")
    REFERRAL = "referral", _("转介绍")
    ORDINARY = "ordinary", _("普通")


class PurchasingPower(models.TextChoices):
    HIGH = "high", _("强")
    MEDIUM = "medium", _("中")
    LOW = "low", _("弱")


class MatchLevel(models.TextChoices):
    HIGH = "high", _("高匹配")
    MEDIUM = "medium", _("中匹配")
    LOW = "low", _("低匹配")


class RuleKind(models.TextChoices):
    INTENT = "intent", _("意向等级")
    RATING = "rating", _("客户评级")


class LeadStatus(models.TextChoices):
    """当前状态, derived from follow-ups and stage: never set by hand."""

    PENDING = "pending", _("待跟进")
    IN_PROGRESS = "in_progress", _("跟进中")
    CONVERTED = "converted", _("转化")
    LOST = "lost", _("流失")
