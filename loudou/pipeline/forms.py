"""UI input of the pipeline pages; the rules themselves live in the services."""

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from loudou.core.widgets import IsoDateInput, QuickSelect
from loudou.customers.models import Contact
from loudou.leads.choices import Grade
from loudou.leads.models import Lead, SourceChannel
from loudou.org.models import Team, User
from loudou.org.selectors import owner_choices
from loudou.pipeline.choices import MoveVia
from loudou.pipeline.models import Stage
from loudou.pipeline.selectors import active_lost_reasons, active_pipelines, active_win_factors
from loudou.pipeline.services import OPPORTUNITY_FIELDS
from loudou.pipeline.services.moves import default_pipeline

_ALL = _("全部")


class MoveStageForm(forms.Form):
    """Move a lead to another stage of its pipeline (the default one for a new lead)."""

    to_stage = forms.ModelChoiceField(
        label=_("移动到阶段"), queryset=Stage.objects.none(), empty_label="—"
    )
    reason = forms.CharField(
        label=_("原因"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    lost_reason = forms.ModelChoiceField(
        label=_("放弃原因"), required=False, queryset=active_lost_reasons(), empty_label="—"
    )
    win_factors = forms.ModelMultipleChoiceField(
        label=_("赢单因素"),
        required=False,
        queryset=active_win_factors(),
        widget=forms.CheckboxSelectMultiple,
    )
    via = forms.ChoiceField(
        choices=[(MoveVia.FORM, MoveVia.FORM.label), (MoveVia.KANBAN, MoveVia.KANBAN.label)],
        initial=MoveVia.FORM,
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, lead: Lead, **kwargs):
        super().__init__(*args, **kwargs)
        pipeline = lead.pipeline if lead.pipeline_id else default_pipeline()
        stages = pipeline.stages.order_by("order") if pipeline else Stage.objects.none()
        self.fields["to_stage"].queryset = stages.exclude(pk=lead.stage_id)

    def move_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "to_stage": data["to_stage"],
            "reason": data["reason"],
            "lost_reason": data["lost_reason"],
            "win_factors": list(data["win_factors"]),
            "via": data["via"] or MoveVia.FORM,
        }


class OpportunityForm(forms.Form):
    """The opportunity (商机) fields; decision-chain contacts come from the lead's customer."""

    def __init__(self, *args, lead: Lead, **kwargs):
        kwargs.setdefault("initial", model_to_dict(lead, fields=OPPORTUNITY_FIELDS))
        super().__init__(*args, **kwargs)
        widgets = {
            "expected_close_date": IsoDateInput(),
            "competitors": forms.Textarea(attrs={"rows": 2}),
            "products": forms.CheckboxSelectMultiple,
        }
        self.fields.update(fields_for_model(Lead, fields=OPPORTUNITY_FIELDS, widgets=widgets))
        self.fields["products"].queryset = self.fields["products"].queryset.filter(is_active=True)
        contacts = Contact.objects.filter(customer_id=lead.customer_id or -1)
        for name in ["technical_contact", "purchasing_contact", "management_contact"]:
            self.fields[name].queryset = contacts

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["products"] = list(data["products"])
        return data


class BoardFilterForm(forms.Form):
    """The Kanban's pipeline and filters: team, rep, intent grade, source."""

    pipeline = forms.ModelChoiceField(
        label=_("销售漏斗"),
        required=False,
        queryset=active_pipelines(),
        empty_label=None,
        widget=QuickSelect,
    )
    team = forms.ModelChoiceField(
        label=_("团队"),
        required=False,
        queryset=Team.objects.all(),
        empty_label=_ALL,
        widget=QuickSelect,
    )
    owner = forms.ModelChoiceField(
        label=_("负责人"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_ALL,
        widget=QuickSelect,
    )
    grade = forms.ChoiceField(
        label=_("意向等级"),
        required=False,
        choices=[("", _ALL), *Grade.choices],
        widget=QuickSelect,
    )
    source = forms.ModelChoiceField(
        label=_("线索来源"),
        required=False,
        queryset=SourceChannel.objects.filter(is_active=True),
        empty_label=_ALL,
        widget=QuickSelect,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if k != "pipeline" and v}
