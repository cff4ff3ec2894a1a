from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryReason(models.TextChoices):
    """Why a lead is in a pool."""

    RELEASED = "released", _("主动放弃")
    LOST = "lost", _("放弃阶段回收")
    NO_FOLLOW_UP = "no_follow_up", _("未跟进回收")
    HANDOVER = "handover", _("交接入池")
    INTAKE = "intake", _("新线索入池")


#: Reasons after which nobody may claim the lead during the pool's cool-down (冷处理).
ABANDONED = {EntryReason.RELEASED, EntryReason.LOST}


class AssignVia(models.TextChoices):
    """How a lead got its owner."""

    CLAIM = "claim", _("公海领取")
    RULE = "rule", _("分配规则")
    SELF_SOURCED = "self_sourced", _("自主开发")
    HANDOVER = "handover", _("人员交接")


class IntakeMode(models.TextChoices):
    """What happens to a new unowned lead from a channel (web form, marketing, import)."""

    RULES = "rules", _("按分配规则")
    POOL = "pool", _("放入公海")
    MARKETING = "marketing", _("留给市场部")


class RuleKind(models.TextChoices):
    SPECIALTY = "specialty", _("擅长行业/区域")
    GRADE_SENIORITY = "grade_seniority", _("等级 × 资历")
    CAPACITY = "capacity", _("容量")
    ROUND_ROBIN = "round_robin", _("加权轮询")


class HandoverSpread(models.TextChoices):
    ONE = "one", _("全部交给一人")
    ROUND_ROBIN = "round_robin", _("轮流分配")
    CAPACITY = "capacity", _("按剩余容量")
