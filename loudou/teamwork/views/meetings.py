"""Review-meeting pages: list with filters, record, detail with action items (done by
htmx), edit."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.teamwork import services
from loudou.teamwork.choices import ActionStatus
from loudou.teamwork.filters import MeetingFilterForm, filter_meetings
from loudou.teamwork.forms import ActionItemForm, MeetingForm
from loudou.teamwork.selectors import (
    access_action_item,
    access_meeting,
    visible_action_items,
    visible_meetings,
)
from loudou.teamwork.views.common import add_errors, editable_copy, flash, is_htmx, labelled_history

MEETING_PAGE = "teamwork/meeting.html"


@login_required
def meeting_list(request):
    form = MeetingFilterForm(request.GET or None)
    today = timezone.localdate()
    meetings = filter_meetings(
        visible_meetings(request.user), request.user, today=today, **form.params()
    )
    page = Paginator(meetings.order_by("-held_at", "-pk"), 50).get_page(request.GET.get("page"))
    mine = visible_action_items(request.user).filter(owner=request.user, status=ActionStatus.OPEN)
    return render(
        request,
        "teamwork/meetings.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "my_actions": mine.order_by("due_on", "pk")[:100],
            "can_create": services.may_create_meetings(request.user),
        },
    )


@login_required
def meeting_create(request):
    if not services.may_create_meetings(request.user):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(
                actor=request.user,
                values=form.values(),
                attendees=list(form.cleaned_data["attendees"]),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(meeting)
    return render(request, "teamwork/form.html", {"form": form, "title": _("记录复盘会议")})


def _actions(user, meeting) -> list:
    actions = list(meeting.actions.select_related("owner"))
    for item in actions:
        item.may_handle = services.may_handle_action(user, item)
    return actions


def _context(request, meeting, **extra) -> dict:
    return {
        "meeting": meeting,
        "today": timezone.localdate(),
        "attendees": meeting.attendees.order_by("username"),
        "actions": _actions(request.user, meeting),
        "may_edit": services.may_edit_meeting(request.user, meeting),
        "action_form": extra.pop("action_form", None) or ActionItemForm(),
        "events": labelled_history(meeting),
        **extra,
    }


@login_required
def meeting_detail(request, pk):
    meeting = access_meeting(request.user, pk)
    return render(request, MEETING_PAGE, _context(request, meeting))


@login_required
def meeting_edit(request, pk):
    meeting = access_meeting(request.user, pk)
    if not services.may_edit_meeting(request.user, meeting):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, instance=editable_copy(meeting), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(
                meeting=meeting,
                actor=request.user,
                values=form.values(),
                attendees=list(form.cleaned_data["attendees"]),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(meeting)
    context = {"form": form, "title": _("修改复盘会议"), "back": meeting}
    return render(request, "teamwork/form.html", context)


@require_POST
@login_required
def action_add(request, pk):
    meeting = access_meeting(request.user, pk)
    if not services.may_edit_meeting(request.user, meeting):
        raise PermissionDenied
    form = ActionItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_action_item(meeting=meeting, actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(meeting)
    return render(request, MEETING_PAGE, _context(request, meeting, action_form=form), status=422)


def _action_response(request, item):
    if is_htmx(request):
        item.may_handle = True
        context = {"item": item, "today": timezone.localdate()}
        return render(request, f"{MEETING_PAGE}#action-row", context)
    return redirect(item.meeting)


@require_POST
@login_required
def action_done(request, pk):
    item = access_action_item(request.user, pk)
    try:
        item = services.complete_action_item(item=item, actor=request.user)
    except ValidationError as error:
        flash(request, error)
    return _action_response(request, item)


@require_POST
@login_required
def action_reopen(request, pk):
    item = access_action_item(request.user, pk)
    try:
        item = services.reopen_action_item(item=item, actor=request.user)
    except ValidationError as error:
        flash(request, error)
    return _action_response(request, item)
