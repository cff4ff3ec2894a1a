"""One filter definition for the lead list in the UI and the API (NetBox filtersets)."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from loudou.leads.choices import Grade
from loudou.leads.models import Lead, SourceChannel
from loudou.leads.selectors import search_leads
from loudou.org.models import Industry, Region

_VALIDITY = [("", _("全部")), ("valid", _("有效线索")), ("invalid", _("无效线索"))]


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    intent_grade = forms.ChoiceField(
        label=_("意向等级"), required=False, choices=[("", _("全部")), *Grade.choices]
    )
    rating = forms.ChoiceField(
        label=_("客户评级"), required=False, choices=[("", _("全部")), *Grade.choices]
    )
    validity = forms.ChoiceField(label=_("有效性"), required=False, choices=_VALIDITY)
    source = forms.ModelChoiceField(
        label=_("线索来源"),
        required=False,
        queryset=SourceChannel.objects.all(),
        empty_label=_("全部"),
    )
    industry = forms.ModelChoiceField(
        label=_("行业"), required=False, queryset=Industry.objects, empty_label=_("全部")
    )
    region = forms.ModelChoiceField(
        label=_("区域"), required=False, queryset=Region.objects, empty_label=_("全部")
    )
    captured_from = forms.DateField(
        label=_("录入起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    captured_to = forms.DateField(
        label=_("录入止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter(self, leads: QuerySet[Lead]) -> QuerySet[Lead]:
        """Apply the cleaned filters to an already visibility-restricted queryset."""
        data = self.cleaned_data
        leads = search_leads(leads, data.get("q", ""))
        for name in ["intent_grade", "rating", "source", "industry", "region"]:
            if data.get(name):
                leads = leads.filter(**{name: data[name]})
        if data.get("validity"):
            leads = leads.filter(is_valid=data["validity"] == "valid")
        if data.get("captured_from"):
            leads = leads.filter(captured_at__date__gte=data["captured_from"])
        if data.get("captured_to"):
            leads = leads.filter(captured_at__date__lte=data["captured_to"])
        return leads
