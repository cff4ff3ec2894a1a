"""The target list's filters: one form for the page, the API and the exports."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from loudou.targets.choices import Metric, Period, ScopeKind
from loudou.targets.models import Target


def _with_all(choices) -> list:
    return [("", _("全部")), *choices]


class TargetFilterForm(forms.Form):
    """Year (empty: every year), period, metric and scope kind; the page opens on the
    current year."""

    year = forms.IntegerField(label=_("年份"), required=False, min_value=2000, max_value=2099)
    period = forms.ChoiceField(label=_("周期"), required=False, choices=_with_all(Period.choices))
    metric = forms.ChoiceField(label=_("指标"), required=False, choices=_with_all(Metric.choices))
    scope_kind = forms.ChoiceField(
        label=_("目标维度"), required=False, choices=_with_all(ScopeKind.choices)
    )

    def filter(self, targets: QuerySet[Target]) -> QuerySet[Target]:
        """`targets` narrowed to the filters; ValidationError when they do not validate."""
        if not self.is_valid():
            raise ValidationError(self.errors)
        data = self.cleaned_data
        if data.get("year"):
            targets = targets.filter(start__year=data["year"])
        for name in ("period", "metric", "scope_kind"):
            if data.get(name):
                targets = targets.filter(**{name: data[name]})
        return targets
