from django.db import models
from django.utils.translation import gettext_lazy as _


class StageKind(models.TextChoices):
    OPEN = "open", _("进行中")
    WON = "won", _("成交")
    LOST = "lost", _("放弃")


class MoveVia(models.TextChoices):
    """The path a stage change came through; every path goes through move_stage()."""

    FORM = "form", _("详情页")
    KANBAN = "kanban", _("看板")
    API = "api", _("API")
    IMPORT = "import", _("导入")
    RULE = "rule", _("规则")
    SYSTEM = "system", _("系统")


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")
    HKD = "HKD", _("港币")
    JPY = "JPY", _("日元")
