"""Edit forms over records whose contact details the editor sees masked.

The inputs show the masked value (138****5678), never the stored one; a save that leaves
them untouched keeps the stored value (the forms send only changed fields); a new value
replaces it; a value still holding the mask's stars is refused."""

from django import forms
from django.utils.translation import gettext as _

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
