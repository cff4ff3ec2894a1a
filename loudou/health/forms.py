"""UI input of the health pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from loudou.core.widgets import IsoDateInput
from loudou.health.choices import CaseStatus, Rule
from loudou.health.models import THRESHOLD_FIELDS, Thresholds

UNRESOLVED = "unresolved"
STATUS_CHOICES = [(UNRESOLVED, _("未解决")), ("", _("全部")), *CaseStatus.choices]


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    rule = forms.ChoiceField(
        label=_("规则"), choices=[("", _("全部")), *Rule.choices], required=False
    )
    team = forms.ModelChoiceField(
        label=_("团队"), queryset=None, required=False, empty_label=_("全部")
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {"status": UNRESOLVED}
        if not self.is_bound:
            data = {"status": UNRESOLVED}
        return {k: v for k, v in data.items() if v not in (None, "")}


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = Thresholds
        fields = THRESHOLD_FIELDS


class GenerateReportForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("团队"), queryset=None, required=False, empty_label=_("全公司")
    )
    week = forms.DateField(label=_("所在周的任一天"), required=False, widget=IsoDateInput())

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
