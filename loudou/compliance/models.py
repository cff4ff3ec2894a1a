"""Consent records (PIPL 个人信息保护法): what each contact agreed to, and when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loudou.compliance.choices import ConsentSource, Purpose


class ConsentRecord(models.Model):
    """One statement of a contact's consent to a purpose: granted or withdrawn.

    The newest record per (contact, purpose) is in force. Records are never edited: the
    history is the proof. They hold no personal data themselves (the evidence is the
    form's wording or a note of how consent was given), so erasing the contact keeps them."""

    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("联系人"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose)
    granted = models.BooleanField(_("同意"))
    source = models.CharField(_("方式"), max_length=20, choices=ConsentSource)
    evidence = models.CharField(_("凭据"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), db_index=True)

    class Meta:
        verbose_name = _("同意记录")
        verbose_name_plural = _("同意记录")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["contact", "purpose", "recorded_at"])]

    def __str__(self) -> str:
        state = _("同意") if self.granted else _("撤回")
        return f"{self.get_purpose_display()} {state}"
