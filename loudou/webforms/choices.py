from django.db import models
from django.utils.translation import gettext_lazy as _


class SpamReason(models.TextChoices):
    """Why a post to a public form was refused as spam (webforms.spam)."""

    RATE_LIMITED = "rate_limited", _("同一IP提交过于频繁")
    HONEYPOT = "honeypot", _("填写了隐藏字段")
    TOO_FAST = "too_fast", _("填写过快")
    STALE_STAMP = "stale_stamp", _("页面已过期")
    BAD_STAMP = "bad_stamp", _("时间戳无效")
    BANNED_COMPANY = "banned_company", _("屏蔽的公司名称")
    STOP_PHRASE = "stop_phrase", _("包含屏蔽词")
