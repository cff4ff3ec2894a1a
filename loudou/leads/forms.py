from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from loudou.compliance.forms import mask_contact_inputs, refuse_masks
from loudou.core.widgets import IsoDateInput
from loudou.leads.choices import Grade, PurchasingPower, RuleKind
from loudou.leads.models import Lead
from loudou.leads.services import LEAD_FIELDS
from loudou.org.selectors import assignable_users

_WIDGETS = {
    "need_description": forms.Textarea(attrs={"rows": 2}),
    "pain_point": forms.Textarea(attrs={"rows": 2}),
    "notes": forms.Textarea(attrs={"rows": 2}),
    "expected_purchase_date": IsoDateInput(),
}


class LeadForm(forms.Form):
    """The registration sheet (线索登记表). Validation proper happens in the service."""

    def __init__(self, *args, actor, lead: Lead | None = None, **kwargs):
        if lead is not None:
            kwargs.setdefault("initial", {**model_to_dict(lead, fields=LEAD_FIELDS)})
            kwargs["initial"]["owner"] = lead.owner_id
        super().__init__(*args, **kwargs)
        self.editing = lead is not None
        self.fields.update(fields_for_model(Lead, fields=LEAD_FIELDS, widgets=_WIDGETS))
        self.fields["phone"].max_length = 40
        self.fields["phone"].widget.attrs.update(maxlength=40, inputmode="tel")
        owners = assignable_users(actor)
        if owners.count() > 1:
            self.fields["owner"] = forms.ModelChoiceField(
                label=_("负责人"), queryset=owners, required=False
            )
        self.masked = mask_contact_inputs(self, lead, actor)

    def clean(self):
        cleaned = super().clean()
        refuse_masks(self, self.masked)
        return cleaned

    def values(self) -> dict:
        """The sheet's values; when editing, only those the user changed (an edit saved
        meanwhile by someone else is kept, and a masked input left alone stays as stored)."""
        names = [n for n in LEAD_FIELDS if n in self.changed_data or not self.editing]
        return {name: self.cleaned_data[name] for name in names}

    def owner(self):
        """The owner chosen; when editing, only if the user changed it."""
        if self.editing and "owner" not in self.changed_data:
            return None
        return self.cleaned_data.get("owner")


class GradeOverrideForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=RuleKind.choices)
    grade = forms.ChoiceField(
        label=_("等级"), choices=[("", _("恢复规则结果")), *Grade.choices], required=False
    )
    reason = forms.CharField(label=_("原因"), max_length=500)


class NeedsForm(forms.Form):
    purchasing_power = forms.ChoiceField(label=_("购买力"), choices=PurchasingPower.choices)
