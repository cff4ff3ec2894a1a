"""Follow-up panel, agenda and calendar feed: parse → access → service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loudou.activities import services
from loudou.activities.forms import CompleteForm, FollowUpForm
from loudou.activities.ical import agenda_calendar
from loudou.activities.models import CalendarFeed
from loudou.activities.panel import follow_up_panel_context
from loudou.activities.selectors import (
    access_follow_up,
    agenda,
    calendar_feed_owner,
    may_see_team_overdue,
    open_next_actions,
    team_overdue,
)
from loudou.activities.sla import sla_context
from loudou.leads.selectors import access_lead

PANEL = "activities/_follow_up_panel.html"


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


def _panel(request, lead, form=None, status=200):
    context = follow_up_panel_context(request, lead, form)
    if _is_htmx(request):
        return render(request, "activities/_follow_up_response.html", context, status=status)
    return render(request, "activities/follow_up_page.html", context, status=status)


@login_required
def lead_follow_ups(request, pk: int):
    """GET: the panel. POST: log a follow-up, then the fresh panel (htmx) or the lead."""
    lead = access_lead(request.user, pk)
    if request.method != "POST":
        return _panel(request, lead) if _is_htmx(request) else redirect(lead)
    form = FollowUpForm(request.POST, lead=lead, actor=request.user, context=sla_context(request))
    if form.is_valid():
        try:
            services.log_follow_up(lead=lead, actor=request.user, values=form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if not _is_htmx(request):
                messages.success(request, _("跟进记录已保存。"))
                return redirect(f"{lead.get_absolute_url()}#follow-ups")
            lead.refresh_from_db()
            return _panel(request, lead)
    return _panel(request, lead, form, status=200 if _is_htmx(request) else 400)


@require_POST
@login_required
def complete_follow_up(request, pk: int):
    """Close a next action as done or failed; back to the panel (htmx) or `next`."""
    follow_up = access_follow_up(request.user, pk)
    form = CompleteForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("结果只能是“已完成”或“失败”。"))
        services.complete_next_action(
            follow_up=follow_up, actor=request.user, result=form.cleaned_data["result"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if _is_htmx(request):
        return _panel(request, access_lead(request.user, follow_up.lead_id))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = f"{follow_up.lead.get_absolute_url()}#follow-ups"
    return redirect(target)


@login_required
def agenda_page(request):
    """My overdue, today's and this week's next actions; a manager's team overdue list."""
    now = timezone.now()
    context = {
        "agenda": agenda(request.user, now),
        "now": now,
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "team": None,
    }
    if may_see_team_overdue(request.user):
        context["team"] = team_overdue(request.user, now, sla_context(request))
    return render(request, "activities/agenda.html", context)


@require_POST
@login_required
def regenerate_calendar(request):
    services.regenerate_calendar_feed(user=request.user)
    messages.success(request, _("新的日历订阅地址已生成，旧地址已失效。"))
    return redirect("activities:agenda")


@require_GET
def calendar_feed(request, secret: str):
    """The .ics feed: no login, the secret in the address is the key; wrong secret → 404."""
    user = calendar_feed_owner(secret)
    text = agenda_calendar(
        open_next_actions(user), name=_("{user} 的跟进日程").format(user=user), now=timezone.now()
    )
    return HttpResponse(text, content_type="text/calendar; charset=utf-8")
