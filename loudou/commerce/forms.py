"""UI input of commerce records; the rules live in the models and the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loudou.commerce.choices import CONTRACT_MOVES, ContractStatus, PaymentMethod
from loudou.commerce.models import Contract, Product
from loudou.commerce.selectors import visible_products, visible_quotes
from loudou.core.widgets import IsoDateInput
from loudou.customers.selectors import visible_customers
from loudou.leads.selectors import visible_leads
from loudou.org.models import ProductLine, User
from loudou.org.selectors import assignable_users

MONEY = {"min_value": 0, "max_digits": 14, "decimal_places": 2}
#: Options a picker lists at most (the chosen record is always among them).
PICKER_ROWS = 300


def _limit_choices(field: forms.ModelChoiceField, chosen_pk: Any) -> None:
    """Render at most PICKER_ROWS options (validation still uses the whole queryset)."""
    rows = list(field.queryset[:PICKER_ROWS])
    if chosen_pk and all(str(r.pk) != str(chosen_pk) for r in rows):
        rows += list(field.queryset.filter(pk=chosen_pk) if str(chosen_pk).isdigit() else [])
    field.widget.choices = [("", "---------")] + [
        (r.pk, field.label_from_instance(r)) for r in rows
    ]


class _LeadChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number} {obj.company_name}"


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["sku", "name", "product_line", "list_price", "unit", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = ProductLine.objects.filter(is_active=True)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class _PartiesForm(forms.Form):
    """Customer, lead and owner pickers limited to what the user sees / may assign."""

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else self.initial
        customers = visible_customers(user).order_by("name", "pk")
        self.fields["customer"].queryset = customers
        self.fields["lead"].queryset = visible_leads(user).order_by("-updated_at", "-pk")
        self.fields["owner"].queryset = assignable_users(user).order_by("username")
        for name in ("customer", "lead"):
            chosen = data.get(name)
            _limit_choices(self.fields[name], getattr(chosen, "pk", chosen))

    def values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.fields}
        if values.get("owner") is None:
            values.pop("owner", None)  # the actor on create, unchanged on update
        return values


class QuoteForm(_PartiesForm):
    title = forms.CharField(label=_("标题"), max_length=120)
    customer = forms.ModelChoiceField(label=_("客户"), queryset=None, required=False)
    lead = _LeadChoice(label=_("线索"), queryset=None, required=False)
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=None, required=False)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=IsoDateInput())
    notes = forms.CharField(label=_("备注"), widget=forms.Textarea, required=False, max_length=5000)


class QuoteLineForm(forms.Form):
    product = forms.ModelChoiceField(label=_("产品"), queryset=Product.objects.none())
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=1_000_000)
    unit_price = forms.DecimalField(
        label=_("单价(元)"), required=False, help_text=_("留空按标准价"), **MONEY
    )
    discount_pct = forms.DecimalField(
        label=_("行折扣(%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = visible_products(user).filter(is_active=True)


class _LineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


QuoteLineFormSet = forms.formset_factory(
    QuoteLineForm, formset=_LineFormSet, extra=3, max_num=100, absolute_max=100, can_delete=True
)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("1", _("批准")), ("0", _("驳回"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("审批意见"), required=False, max_length=2000)


class ContractForm(_PartiesForm):
    title = forms.CharField(label=_("合同名称"), max_length=120)
    customer = forms.ModelChoiceField(label=_("客户"), queryset=None)
    lead = _LeadChoice(label=_("线索"), queryset=None, required=False)
    quote = forms.ModelChoiceField(label=_("报价单"), queryset=None, required=False)
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=None, required=False)
    amount = forms.DecimalField(label=_("合同金额(元)"), required=False, **MONEY)
    signed_on = forms.DateField(label=_("签约日期"), required=False, widget=IsoDateInput())
    notes = forms.CharField(label=_("备注"), widget=forms.Textarea, required=False, max_length=5000)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["quote"].queryset = visible_quotes(user).filter(status="approved")
        data = self.data if self.is_bound else self.initial
        chosen = data.get("quote")
        _limit_choices(self.fields["quote"], getattr(chosen, "pk", chosen))


class ContractNotesForm(forms.Form):
    notes = forms.CharField(label=_("备注"), widget=forms.Textarea, required=False, max_length=5000)


class MoveForm(forms.Form):
    to = forms.ChoiceField(label=_("变更为"), choices=ContractStatus.choices)
    signed_on = forms.DateField(label=_("签约日期"), required=False, widget=IsoDateInput())
    amount = forms.DecimalField(label=_("合同金额(元)"), required=False, **MONEY)
    reason = forms.CharField(label=_("说明"), required=False, max_length=2000)

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = CONTRACT_MOVES.get(contract.status, set())
        self.fields["to"].choices = [c for c in ContractStatus.choices if c[0] in allowed]


class MilestoneForm(forms.Form):
    name = forms.CharField(label=_("期次"), max_length=60)
    due_on = forms.DateField(label=_("计划回款日"), widget=IsoDateInput())
    amount = forms.DecimalField(label=_("计划金额(元)"), **MONEY)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("回款日期"), widget=IsoDateInput())
    amount = forms.DecimalField(label=_("回款金额(元)"), **MONEY)
    method = forms.ChoiceField(label=_("回款方式"), choices=PaymentMethod.choices)
    notes = forms.CharField(label=_("备注"), required=False, max_length=200)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("PDF、PNG、JPEG、DOCX 或 XLSX，最大 10 MB"))


class OrderForm(_PartiesForm):
    customer = forms.ModelChoiceField(label=_("客户"), queryset=None)
    lead = _LeadChoice(label=_("线索"), queryset=None, required=False)
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=None, required=False)
    ordered_on = forms.DateField(label=_("下单日期"), widget=IsoDateInput())
    amount = forms.DecimalField(label=_("订单金额(元)"), **MONEY)
    description = forms.CharField(label=_("内容"), required=False, max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=2000)
