"""Web-to-lead forms (网页表单): a public page per channel that creates leads."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from loudou.assignment.choices import IntakeMode
from loudou.webforms.choices import SpamReason

#: The consent a visitor ticks on a new form (editable per form).
DEFAULT_CONSENT = _("我同意贵公司为联系我、介绍产品和服务而处理我在本表单中填写的信息。")


def new_token() -> str:
    return secrets.token_urlsafe(18)


class WebForm(models.Model):
    """A public lead form at /f/<token>/, embeddable by iframe or posted to from plain HTML.

    Spam (honeypot, too fast, too many posts from one IP, banned company names, stop
    phrases) is dropped silently for the sender and counted here."""

    name = models.CharField(_("名称"), max_length=100)
    channel = models.ForeignKey(
        "leads.SourceChannel", verbose_name=_("线索来源"), on_delete=models.PROTECT
    )
    token = models.CharField(_("公开令牌"), max_length=40, unique=True, default=new_token)
    is_active = models.BooleanField(_("启用"), default=True)
    require_fill_time = models.BooleanField(
        _("要求最短填写时间"),
        default=True,
        help_text=_("关闭后，其他网站上的纯HTML表单无需签名时间戳也可提交。"),
    )
    banned_company_names = models.TextField(
        _("屏蔽的公司名称"), blank=True, help_text=_("每行一个")
    )
    stop_phrases = models.TextField(_("屏蔽词"), blank=True, help_text=_("每行一个"))
    intake_mode = models.CharField(
        _("新线索分配方式"),
        max_length=10,
        choices=IntakeMode,
        default=IntakeMode.POOL,
        help_text=_("按分配规则直接分给销售、放入匹配的公海，或留给市场部跟进。"),
    )
    thank_you_text = models.TextField(
        _("提交成功提示"), default=_("感谢您的留言，我们会尽快与您联系。")
    )
    consent_text = models.TextField(
        _("同意声明"),
        default=DEFAULT_CONSENT,
        help_text=_("访客须勾选同意才能提交；同意记录保存在联系人名下（个人信息保护法）。"),
    )
    spam_count = models.PositiveIntegerField(_("拦截的垃圾提交"), default=0, editable=False)
    lead_count = models.PositiveIntegerField(_("产生的线索"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("网页表单")
        verbose_name_plural = _("网页表单")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def lines(self, field: str) -> list[str]:
        return [line.strip() for line in getattr(self, field).splitlines() if line.strip()]


class SpamSubmission(models.Model):
    """A post refused as spam: why, from which IP (keyed hash, never the address itself)
    and what it said (truncated), for administrators to check the defences."""

    form = models.ForeignKey(
        WebForm,
        verbose_name=_("网页表单"),
        on_delete=models.CASCADE,
        related_name="spam_submissions",
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    reason = models.CharField(_("拦截原因"), max_length=20, choices=SpamReason)
    ip_hash = models.CharField(_("IP 摘要"), max_length=64, db_index=True)
    payload = models.JSONField(_("提交内容（截断）"), default=dict)

    class Meta:
        verbose_name = _("拦截的垃圾提交")
        verbose_name_plural = _("拦截的垃圾提交")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.form_id} {self.reason} {self.at:%Y-%m-%d %H:%M}"
