"""What the follow-up panel of the lead page shows; shared by its template tag and views."""

from django.utils import timezone

from loudou.activities.choices import SlaState
from loudou.activities.forms import FollowUpForm
from loudou.activities.selectors import lead_follow_ups, script_for
from loudou.activities.sla import lead_sla, sla_context
from loudou.leads.models import Lead


def follow_up_panel_context(request, lead: Lead, form: FollowUpForm | None = None) -> dict:
    """The context of activities/_follow_up_panel.html for a lead `request.user` sees."""
    context, now = sla_context(request), timezone.now()
    sla = lead_sla(lead, now, context)
    return {
        "lead": lead,
        "now": now,
        "sla": sla,
        "sla_label": SlaState(sla["state"]).label,
        "follow_ups": lead_follow_ups(lead),
        "form": form or FollowUpForm(lead=lead, actor=request.user, context=context),
        "script": script_for(lead),
    }
