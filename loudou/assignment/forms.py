"""UI input for the handover page and the assignment settings pages."""

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from loudou.assignment.choices import HandoverSpread, IntakeMode
from loudou.assignment.models import GRADES, AssignmentRule, Pool
from loudou.assignment.services.configuration import POOL_FIELDS, RULE_FIELDS
from loudou.assignment.services.rule_text import parse_weights, rule_form_initial, rule_settings
from loudou.org.choices import Role
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

    def __init__(self, *args, instance=None, **kwargs):
        initial = model_to_dict(instance, self.field_names) if instance else None
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(fields_for_model(self.model, fields=self.field_names))

    def values(self) -> dict:
        return dict(self.cleaned_data)


def _roles_field(grade: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("{grade} 级线索分给").format(grade=grade),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("用于“等级 × 资历”规则；不选则不限。"),
    )


class RuleForm(_ModelFieldsForm):
    """An assignment rule with its parameters as form fields, one group per kind (the
    API takes them as `settings` JSON): roles per grade, least-loaded first, weights."""

    model = AssignmentRule
    field_names = [name for name in RULE_FIELDS if name != "settings"]

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["order"].required = False
        for grade in GRADES:
            self.fields[f"roles_{grade}"] = _roles_field(grade)
        self.fields["least_loaded"] = forms.BooleanField(
            label=_("优先分给当前负载最低者"),
            required=False,
            help_text=_("用于“容量”规则。"),
        )
        self.fields["weights"] = forms.CharField(
            label=_("轮询权重"),
            required=False,
            widget=forms.Textarea({"rows": 3}),
            help_text=_(
                "用于“加权轮询”规则：每行一人，“用户名 权重”，例如 zhangsan 2；未列出者权重为 1。"
            ),
        )
        if instance is not None:
            self.initial.update(rule_form_initial(instance))

    def clean_weights(self) -> dict[str, float]:
        return parse_weights(self.cleaned_data.get("weights") or "")

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.field_names}
        values["settings"] = rule_settings(
            data.get("kind"),
            roles={g: data.get(f"roles_{g}") or [] for g in GRADES},
            least_loaded=data.get("least_loaded", False),
            weights=data.get("weights") or {},
        )
        return values


class PoolForm(_ModelFieldsForm):
    """A pool's settings; the protection period per grade as three day fields."""

    model = Pool
    field_names = [name for name in POOL_FIELDS if name != "protection_days_by_grade"]

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        by_grade = instance.protection_days_by_grade if instance else {}
        for grade in GRADES:
            self.fields[f"protection_days_{grade}"] = forms.IntegerField(
                label=_("{grade} 级保护期(天)").format(grade=grade),
                required=False,
                min_value=1,
                max_value=3650,
                initial=by_grade.get(grade),
                help_text=_("留空则用上面的保护期。"),
            )

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.field_names}
        values["protection_days_by_grade"] = {
            grade: data[f"protection_days_{grade}"]
            for grade in GRADES
            if data.get(f"protection_days_{grade}") is not None
        }
        return values


class IntakePolicyForm(forms.Form):
    marketing_mode = forms.ChoiceField(label=_("市场部录入的线索"), choices=IntakeMode.choices)
