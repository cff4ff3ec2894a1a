"""UI input of customer service; the rules themselves live in the services and models."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loudou.customers.models import Contact
from loudou.service.choices import Priority, Tier
from loudou.service.models import MAX_AMOUNT, MaintenancePlan, PlanAction
from loudou.service.selectors import assignees

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


class TicketForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("客户"), queryset=None)
    contact = forms.ModelChoiceField(label=_("联系人"), queryset=None, required=False)
    subject = forms.CharField(label=_("主题"), max_length=200)
    description = forms.CharField(label=_("问题描述"), widget=TEXT, required=False, max_length=5000)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial="normal")
    assignee = forms.ModelChoiceField(
        label=_("处理人"), queryset=None, required=False, help_text=_("默认为客户负责人")
    )

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers.order_by("name")
        self.fields["contact"].queryset = Contact.objects.filter(
            customer__in=customers.values("pk")
        ).select_related("customer")
        self.fields["assignee"].queryset = assignees()

    def clean(self):
        data = super().clean()
        contact, customer = data.get("contact"), data.get("customer")
        if contact is not None and customer is not None and contact.customer_id != customer.pk:
            self.add_error("contact", _("联系人不属于该客户。"))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        names = ("contact", "subject", "description", "priority", "assignee")
        return {name: data[name] for name in names}


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("回复内容"), widget=TEXT, max_length=5000)


class ResolveForm(forms.Form):
    body = forms.CharField(label=_("解决说明"), widget=TEXT, max_length=5000, required=False)


class ReopenForm(forms.Form):
    body = forms.CharField(label=_("重开原因"), widget=TEXT, max_length=5000)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("处理人"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees()


class RateForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)]
    )
    comment = forms.CharField(label=_("评价"), widget=TEXT, max_length=2000, required=False)


class OverrideForm(forms.Form):
    tier = forms.ChoiceField(
        label=_("手工级别"),
        choices=[("", _("不调整（按采购额）")), *Tier.choices],
        required=False,
    )
    reason = forms.CharField(label=_("调整原因"), max_length=200, required=False)


class DoneForm(forms.Form):
    done_on = forms.DateField(label=_("执行日期"), widget=DATE)
    notes = forms.CharField(label=_("执行记录"), widget=TEXT, max_length=5000, required=False)
    feedback = forms.CharField(label=_("客户反馈"), widget=TEXT, max_length=5000, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"done_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class SkipForm(forms.Form):
    notes = forms.CharField(label=_("跳过原因"), max_length=500)


class EvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2099)
    quarter = forms.TypedChoiceField(
        label=_("季度"), coerce=int, choices=[(q, f"Q{q}") for q in range(1, 5)]
    )
    rating = forms.TypedChoiceField(
        label=_("评分"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)]
    )
    comment = forms.CharField(label=_("评价"), widget=TEXT, max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {"year": today.year, "quarter": (today.month - 1) // 3 + 1})
        super().__init__(*args, **kwargs)


def amount_field(label):
    return forms.DecimalField(
        label=label, min_value=Decimal("0.01"), max_value=MAX_AMOUNT, decimal_places=2
    )


class ThresholdForm(forms.Form):
    vip = amount_field(_("VIP客户：年采购额不低于(元)"))
    key = amount_field(_("重点客户：年采购额不低于(元)"))


def hours_field(label):
    return forms.DecimalField(
        label=label, min_value=Decimal("0.5"), max_value=999, decimal_places=1
    )


class SlaForm(forms.Form):
    """Response and resolution hours of each tier, as `<tier>_response` fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for tier, label in Tier.choices:
            self.fields[f"{tier}_response"] = hours_field(
                _("{tier}：响应(工作小时)").format(tier=label)
            )
            self.fields[f"{tier}_resolution"] = hours_field(
                _("{tier}：解决(工作小时)").format(tier=label)
            )

    def rows(self) -> dict:
        data = self.cleaned_data
        return {
            tier: {
                "response_hours": data[f"{tier}_response"],
                "resolution_hours": data[f"{tier}_resolution"],
            }
            for tier in Tier.values
        }


class PlanForm(forms.ModelForm):
    class Meta:
        model = MaintenancePlan
        fields = [
            "name",
            "goals",
            "target_repurchase_pct",
            "target_satisfaction",
            "target_referrals",
        ]
        widgets = {"goals": TEXT}


class PlanActionForm(forms.ModelForm):
    class Meta:
        model = PlanAction
        fields = ["kind", "title", "frequency", "owner_rule", "is_active"]
