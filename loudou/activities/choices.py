from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How the customer was reached (跟进方式)."""

    PHONE = "phone", _("电话")
    VISIT = "visit", _("拜访")
    EMAIL = "email", _("邮件")
    WECHAT = "wechat", _("微信")
    MEETING = "meeting", _("会议")
    OTHER = "other", _("其他")


class Result(models.TextChoices):
    """Where the follow-up's next action stands (结果)."""

    PENDING = "pending", _("待办")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class SlaState(models.TextChoices):
    """The first-response SLA of a lead."""

    MET = "met", _("已达标")
    DUE = "due", _("待响应")
    BREACHED = "breached", _("已超时")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")
