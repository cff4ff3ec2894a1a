"""UI input for the handover page and the assignment settings pages."""

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from loudou.assignment.choices import HandoverSpread, IntakeMode
from loudou.assignment.models import AssignmentRule, Pool
from loudou.assignment.services.configuration import POOL_FIELDS, RULE_FIELDS
from loudou.org.selectors import assignable_users, visible_users


class HandoverForm(forms.Form):
    from_user = forms.ModelChoiceField(label=_("交出人"), queryset=None)
    successors = forms.ModelMultipleChoiceField(label=_("接手人"), queryset=None)
    rule = forms.ChoiceField(
        label=_("分配方式"), choices=HandoverSpread.choices, initial=HandoverSpread.ONE
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_user"].queryset = visible_users(actor).exclude(pk=actor.pk)
        self.fields["successors"].queryset = assignable_users(actor)


class _ModelFieldsForm(forms.Form):
    """A plain form with a model's fields (labels, choices, limits), filled from an
    instance without touching it: the service sets, validates and audits the values."""

    model = None
    field_names: list[str] = []
    json_fields: tuple[str, ...] = ()

    def __init__(self, *args, instance=None, **kwargs):
        initial = model_to_dict(instance, self.field_names) if instance else None
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(fields_for_model(self.model, fields=self.field_names))
        for name in self.json_fields:
            self.fields[name].widget = forms.Textarea({"rows": 3})

    def values(self) -> dict:
        values = dict(self.cleaned_data)
        for name in self.json_fields:
            values[name] = values.get(name) or {}
        return values


class RuleForm(_ModelFieldsForm):
    model = AssignmentRule
    field_names = RULE_FIELDS
    json_fields = ("settings",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["settings"].help_text = _(
            '等级×资历：{"A": ["senior_rep"]}；容量：{"least_loaded": true}；'
            '轮询：{"weights": {"用户ID": 2}}；擅长行业/区域：{}'
        )


class PoolForm(_ModelFieldsForm):
    model = Pool
    field_names = POOL_FIELDS
    json_fields = ("protection_days_by_grade",)


class IntakePolicyForm(forms.Form):
    marketing_mode = forms.ChoiceField(label=_("市场部录入的线索"), choices=IntakeMode.choices)
