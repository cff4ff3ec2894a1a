"""The quick follow-up form (entered in under 30 seconds) and the completion form."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loudou.activities.choices import Channel, Result
from loudou.activities.models import ObjectionType
from loudou.activities.sla import SlaContext
from loudou.core.widgets import LocalDateTimeInput
from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.org.selectors import assignable_users


class FollowUpForm(forms.Form):
    occurred_at = forms.DateTimeField(label=_("跟进时间"), widget=LocalDateTimeInput())
    channel = forms.ChoiceField(label=_("方式"), choices=Channel.choices)
    summary = forms.CharField(
        label=_("内容摘要"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    feedback_category = forms.ModelChoiceField(
        label=_("客户反馈/异议"),
        queryset=ObjectionType.objects.filter(is_active=True),
        required=False,
        empty_label="—",
    )
    feedback_text = forms.CharField(label=_("客户反馈说明"), max_length=2000, required=False)
    objection_handling = forms.CharField(label=_("异议处理"), max_length=2000, required=False)
    next_action = forms.CharField(label=_("下一步行动"), max_length=200, required=False)
    next_action_owner = forms.ModelChoiceField(
        label=_("行动负责人"), queryset=User.objects.none(), required=False
    )
    next_action_due = forms.DateTimeField(
        label=_("截止时间"), required=False, widget=LocalDateTimeInput()
    )

    def __init__(self, *args, lead: Lead, actor: User, context: SlaContext | None = None, **kw):
        kw.setdefault("auto_id", "fu_%s")
        super().__init__(*args, **kw)
        assignable = assignable_users(actor).values("pk")
        self.fields["next_action_owner"].queryset = User.objects.filter(
            Q(pk__in=assignable) | Q(pk=lead.owner_id), is_active=True
        ).order_by("username")
        if not self.is_bound:
            self.initial.update(self.defaults(lead, actor, context))

    @staticmethod
    def defaults(lead: Lead, actor: User, context: SlaContext | None) -> dict[str, Any]:
        """Now, by phone, the lead's owner, due after the grade's touch interval."""
        now = timezone.localtime().replace(second=0, microsecond=0)
        days = (context or SlaContext.load()).rule(lead.intent_grade)[1]
        return {
            "occurred_at": now,
            "channel": Channel.PHONE,
            "next_action_owner": lead.owner_id or actor.pk,
            "next_action_due": _at_ten(now + timedelta(days=days)),
        }

    def values(self) -> dict[str, Any]:
        """The service's values. Without a next action the prefilled owner and due time
        are only defaults and are dropped (the API, which has no defaults, refuses a due
        time without an action)."""
        values = dict(self.cleaned_data)
        if not values["next_action"].strip():
            values["next_action_owner"] = values["next_action_due"] = None
        return values


def _at_ten(moment: datetime) -> datetime:
    return moment.replace(hour=10, minute=0)


class CompleteForm(forms.Form):
    result = forms.ChoiceField(
        choices=[(Result.DONE, Result.DONE.label), (Result.FAILED, Result.FAILED.label)]
    )
