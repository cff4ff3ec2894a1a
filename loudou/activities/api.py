"""Activities endpoints: the same selectors and services as the pages."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from loudou.activities import services
from loudou.activities.models import CadenceRule, ObjectionType
from loudou.activities.schemas import (
    AgendaOut,
    CadenceRuleIO,
    CadenceRulePatch,
    CalendarFeedOut,
    CompleteIn,
    FollowUpIn,
    FollowUpOut,
    ScriptTemplateOut,
    SlaOut,
    TeamOverdueOut,
    TimelineEntryOut,
)
from loudou.activities.selectors import (
    access_follow_up,
    agenda,
    lead_follow_ups,
    lead_timeline,
    script_for,
    team_overdue,
)
from loudou.activities.sla import lead_sla
from loudou.core.schemas import ErrorsOut
from loudou.leads.selectors import access_lead
from loudou.org.models import User

router = Router(tags=["activities"])


def _follow_up_values(payload: FollowUpIn) -> dict:
    """The service's values from an API body: ids become active records, or 422."""
    data = payload.dict()
    category_id = data.pop("feedback_category_id")
    owner_id = data.pop("next_action_owner_id")
    data["feedback_category"] = None
    if category_id is not None:
        data["feedback_category"] = ObjectionType.objects.filter(
            pk=category_id, is_active=True
        ).first()
        if data["feedback_category"] is None:
            raise ValidationError({"feedback_category_id": _("不存在的异议类型。")})
    data["next_action_owner"] = None
    if owner_id is not None:
        data["next_action_owner"] = User.objects.filter(pk=owner_id, is_active=True).first()
        if data["next_action_owner"] is None:
            raise ValidationError({"next_action_owner_id": _("不存在的用户。")})
    return data


@router.get("/leads/{id:lead_id}/follow-ups", response=list[FollowUpOut])
def list_follow_ups(request, lead_id: int):
    return lead_follow_ups(access_lead(request.user, lead_id))


@router.post("/leads/{id:lead_id}/follow-ups", response={201: FollowUpOut, 422: ErrorsOut})
def create_follow_up(request, lead_id: int, payload: FollowUpIn):
    lead = access_lead(request.user, lead_id)
    values = _follow_up_values(payload)
    return Status(201, services.log_follow_up(lead=lead, actor=request.user, values=values))


@router.post("/follow-ups/{id:follow_up_id}/complete", response={200: FollowUpOut, 422: ErrorsOut})
def complete_follow_up(request, follow_up_id: int, payload: CompleteIn):
    follow_up = access_follow_up(request.user, follow_up_id)
    return services.complete_next_action(
        follow_up=follow_up, actor=request.user, result=payload.result
    )


@router.get("/leads/{id:lead_id}/sla", response=SlaOut)
def sla(request, lead_id: int):
    return lead_sla(access_lead(request.user, lead_id), timezone.now())


@router.get("/leads/{id:lead_id}/timeline", response=list[TimelineEntryOut])
def timeline(request, lead_id: int):
    return lead_timeline(access_lead(request.user, lead_id), request.user)


@router.get("/agenda", response=AgendaOut)
def my_agenda(request):
    return agenda(request.user, timezone.now())


@router.get("/team-overdue", response=TeamOverdueOut)
def my_team_overdue(request):
    found = team_overdue(request.user, timezone.now())
    breaches = [
        {
            "lead_id": lead.pk,
            "lead_number": lead.number,
            "company_name": lead.company_name,
            "intent_grade": lead.intent_grade,
            "owner_id": lead.owner_id,
            "deadline": deadline,
        }
        for lead, deadline in found["sla_breaches"]
    ]
    return {"next_actions": found["next_actions"], "sla_breaches": breaches}


@router.get("/cadence-rules", response=list[CadenceRuleIO])
def cadence_rules(request):
    return CadenceRule.objects.all()


@router.patch("/cadence-rules", response={200: list[CadenceRuleIO], 422: ErrorsOut})
def update_cadence_rule(request, payload: CadenceRulePatch):
    values = payload.dict(exclude_unset=True, exclude_none=True)
    grade = values.pop("grade")
    services.update_cadence_rule(actor=request.user, grade=grade, values=values)
    return CadenceRule.objects.all()


@router.get("/script-templates", response=list[ScriptTemplateOut])
def script_templates(request, lead_id: int):
    """The one script that fits the lead (industry and stage), or an empty list."""
    template = script_for(access_lead(request.user, lead_id))
    return [] if template is None else [template]


def _feed_out(request, feed) -> dict:
    path = reverse("activities:calendar_feed", args=[feed.token])
    return {"url": request.build_absolute_uri(path)}


@router.get("/calendar-feed", response=CalendarFeedOut)
def calendar_feed(request):
    return _feed_out(request, services.ensure_calendar_feed(user=request.user))


@router.post("/calendar-feed", response=CalendarFeedOut)
def regenerate_calendar_feed(request):
    return _feed_out(request, services.regenerate_calendar_feed(user=request.user))
