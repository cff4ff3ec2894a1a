"""Edit forms over records whose contact details the editor sees masked.

The inputs show the masked value (138****5678), never the stored one; a save that leaves
them untouched keeps the stored value (the forms send only changed fields); a new value
replaces it; a value still holding the mask's stars is refused."""

from django import forms
from django.utils.translation import gettext as _

from loudou.compliance.choices import ConsentSource, Purpose
from loudou.compliance.masking import shown
from loudou.compliance.reveal import CONTACT_DETAILS, sees_unmasked


def mask_contact_inputs(form: forms.BaseForm, record, viewer) -> dict[str, str]:
    """Put the masked phone / e-mail / WeChat of `record` in `form`'s inputs when `viewer`
    does not own it. Returns the masked fields and the mask each shows."""
    if record is None or sees_unmasked(viewer, record):
        return {}
    masked = {}
    for name in CONTACT_DETAILS:
        if name in form.fields and getattr(record, name):
            masked[name] = shown(record, name, viewer)
            form.initial[name] = masked[name]
            form.fields[name].help_text = _("已隐藏；不修改则保留原值，输入新值可替换。")
    return masked


def refuse_masks(form: forms.BaseForm, masked: dict[str, str]) -> None:
    """In `form.clean()`: a masked input that was changed but still holds stars is an
    error (a mask is never stored as a phone or an address)."""
    for name in masked:
        value = form.cleaned_data.get(name) or ""
        if name in form.changed_data and "*" in value:
            form.add_error(name, _("请输入完整的新值，或保持不变。"))


class ConsentForm(forms.Form):
    """A contact's consent to a purpose, or its withdrawal, and how it was given."""

    purpose = forms.ChoiceField(label=_("用途"), choices=Purpose.choices)
    granted = forms.TypedChoiceField(
        label=_("同意/撤回"),
        choices=[("1", _("同意")), ("0", _("撤回同意"))],
        coerce=lambda value: value == "1",
    )
    source = forms.ChoiceField(
        label=_("方式"), choices=[c for c in ConsentSource.choices if c[0] != "web_form"]
    )
    evidence = forms.CharField(label=_("凭据/说明"), max_length=500, required=False)


class SubjectSearchForm(forms.Form):
    """How a person who asks about their data is found: any of their contact details."""

    phone = forms.CharField(label=_("电话"), max_length=40, required=False)
    email = forms.CharField(label=_("邮箱"), max_length=254, required=False)
    wechat = forms.CharField(label=_("微信"), max_length=60, required=False)

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("phone", "email", "wechat")):
            raise forms.ValidationError(_("请至少填写电话、邮箱或微信之一。"))
        return data


class EraseForm(SubjectSearchForm):
    reason = forms.CharField(
        label=_("删除原因"),
        max_length=500,
        help_text=_("例如：本人于 2026-12-01 电话提出删除请求。"),
    )
    confirm = forms.BooleanField(label=_("我确认匿名化以上记录（不可恢复）"))
