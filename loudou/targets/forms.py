"""UI input of targets and plans; the rules live in the model and the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from loudou.core.widgets import IsoDateInput
from loudou.leads.choices import CustomerType
from loudou.org.models import ProductLine, Region, User
from loudou.targets.choices import Metric, Period, ScopeKind
from loudou.targets.models import MAX_VALUE
from loudou.targets.selectors import (
    action_owners,
    action_teams,
    milestone_owners,
    target_people,
    target_teams,
    visible_targets,
)

VALUE_LABEL = _("目标值")


def _value_field(label=VALUE_LABEL) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_value=MAX_VALUE, max_digits=14, decimal_places=2
    )


class _TargetChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"#{obj.pk} {obj}"


class TargetForm(forms.Form):
    """A new target; `parent` among the targets the user sees."""

    period = forms.ChoiceField(label=_("周期"), choices=Period.choices)
    start = forms.DateField(
        label=_("开始日期"), widget=IsoDateInput(), help_text=_("年度从1月1日，季度从1/4/7/10月1日")
    )
    metric = forms.ChoiceField(label=_("指标"), choices=Metric.choices)
    value = _value_field()
    scope_kind = forms.ChoiceField(label=_("目标维度"), choices=ScopeKind.choices)
    region = forms.ModelChoiceField(label=_("区域"), queryset=Region.objects.none(), required=False)
    product_line = forms.ModelChoiceField(
        label=_("产品线"), queryset=ProductLine.objects.none(), required=False
    )
    customer_type = forms.ChoiceField(
        label=_("客户类型"), choices=[("", "—"), *CustomerType.choices], required=False
    )
    team = forms.ModelChoiceField(label=_("团队"), queryset=User.objects.none(), required=False)
    person = forms.ModelChoiceField(label=_("责任人"), queryset=User.objects.none(), required=False)
    parent = _TargetChoice(label=_("上级目标"), queryset=User.objects.none(), required=False)
    notes = forms.CharField(label=_("备注"), widget=forms.Textarea, required=False, max_length=5000)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(is_active=True)
        self.fields["product_line"].queryset = ProductLine.objects.filter(is_active=True)
        self.fields["team"].queryset = target_teams(user)
        self.fields["person"].queryset = target_people(user)
        self.fields["parent"].queryset = visible_targets(user)


class TargetEditForm(forms.Form):
    parent = _TargetChoice(label=_("上级目标"), queryset=User.objects.none(), required=False)
    notes = forms.CharField(label=_("备注"), widget=forms.Textarea, required=False, max_length=5000)

    def __init__(self, *args, user: User, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = visible_targets(user).exclude(pk=target.pk)


class AdjustForm(forms.Form):
    value = _value_field(_("新目标值"))
    reason = forms.CharField(
        label=_("调整原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("如竞品降价、原材料涨价等市场变化"),
    )


class SplitForm(forms.Form):
    """One value per planned child (`value_0`, `value_1`, …), the even split to start."""

    def __init__(self, *args, children: list, **kwargs):
        super().__init__(*args, **kwargs)
        for i, child in enumerate(children):
            field = _value_field(f"{child.scope_name} · {child.period_label}")
            field.initial = child.value
            self.fields[f"value_{i}"] = field

    def values(self) -> list:
        return [self.cleaned_data[f"value_{i}"] for i in range(len(self.fields))]


class PlanForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    goal = forms.CharField(
        label=_("策略目标"), widget=forms.Textarea, max_length=5000, help_text=_("可量化的目标")
    )
    target = _TargetChoice(label=_("关联目标"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(
        label=_("团队"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("全公司"),
    )
    product = forms.CharField(label=_("产品策略"), widget=forms.Textarea, required=False)
    price = forms.CharField(label=_("价格策略"), widget=forms.Textarea, required=False)
    place = forms.CharField(label=_("渠道策略"), widget=forms.Textarea, required=False)
    promotion = forms.CharField(label=_("推广策略"), widget=forms.Textarea, required=False)
    resources = forms.CharField(label=_("资源需求"), widget=forms.Textarea, required=False)
    expected_effect = forms.CharField(label=_("预期效果"), widget=forms.Textarea, required=False)
    evaluation_metrics = forms.CharField(label=_("评估指标"), widget=forms.Textarea, required=False)
    evaluation = forms.CharField(label=_("效果评估"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = visible_targets(user)
        self.fields["team"].queryset = target_teams(user)
        if not user.sees_all:
            self.fields["team"].required = True


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("事项"), max_length=200)
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("截止日期"), widget=IsoDateInput())

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = milestone_owners(user)


class ActionForm(forms.Form):
    """An improvement action (差异原因与改进措施); `targets`: the targets offered to link."""

    variance_reason = forms.CharField(
        label=_("差异原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    action = forms.CharField(
        label=_("改进措施"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=User.objects.none())
    deadline = forms.DateField(label=_("完成期限"), widget=IsoDateInput())
    period = forms.ChoiceField(
        label=_("周期"), choices=[("", "—"), *Period.choices], required=False
    )
    period_start = forms.DateField(
        label=_("周期开始日期"),
        widget=IsoDateInput(),
        required=False,
        help_text=_("关联目标时取目标的周期"),
    )
    team = forms.ModelChoiceField(
        label=_("团队"), queryset=User.objects.none(), required=False, empty_label=_("全公司")
    )
    scope = forms.CharField(label=_("范围说明"), max_length=200, required=False)
    target = _TargetChoice(label=_("关联目标"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, user: User, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = action_owners(user)
        self.fields["team"].queryset = action_teams(user)
        self.fields["target"].queryset = visible_targets(user) if targets is None else targets
        if not user.sees_all:
            self.fields["team"].required = True

    def clean(self):
        data = super().clean()
        if data.get("target") is None:
            for name in ("period", "period_start"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("未关联目标时须填写周期。"))
        else:
            data.pop("period", None)
            data.pop("period_start", None)
        return data
