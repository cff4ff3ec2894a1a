"""The analysis filters (period, pipeline, team, rep), one form for the pages and the API."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from loudou.analytics.services.scope import Scope, default_period
from loudou.core.widgets import IsoDateInput
from loudou.org.models import Team, User
from loudou.org.selectors import visible_users
from loudou.pipeline.models import Pipeline

BY_CHOICES = [
    ("source", _("线索来源")),
    ("grade", _("意向等级")),
    ("region", _("区域")),
    ("industry", _("行业")),
    ("team", _("团队")),
    ("rep", _("销售员")),
    ("product", _("产品线")),
    ("customer_type", _("客户类型")),
]


class ScopeForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), required=False, widget=IsoDateInput())
    end = forms.DateField(label=_("结束日期"), required=False, widget=IsoDateInput())
    pipeline = forms.ModelChoiceField(
        label=_("销售漏斗"),
        required=False,
        queryset=Pipeline.objects.filter(is_active=True),
        empty_label=None,
    )
    team = forms.IntegerField(label=_("团队"), required=False, widget=forms.Select)
    rep = forms.IntegerField(label=_("销售员"), required=False, widget=forms.Select)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        teams = Team.objects.all() if user.sees_all else Team.objects.filter(manager=user)
        self.fields["team"].widget.choices = [("", _("全部")), *((t.pk, t.name) for t in teams)]
        reps = visible_users(user).filter(is_active=True)
        self.fields["rep"].widget.choices = [("", _("全部")), *((u.pk, str(u)) for u in reps)]
        start, end = default_period()
        self.fields["start"].initial, self.fields["end"].initial = start, end

    def scope(self) -> Scope:
        """The scope asked for; ValidationError on bad input, PermissionDenied on a team or
        rep the user may not see."""
        if not self.is_valid():
            raise ValidationError(dict(self.errors))
        data = self.cleaned_data
        return Scope.build(
            self.user,
            team=data.get("team"),
            rep=data.get("rep"),
            start=data.get("start"),
            end=data.get("end"),
            pipeline=data.get("pipeline"),
        )
