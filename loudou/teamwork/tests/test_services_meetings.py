"""Review meetings: the record, its attendees and its action items tracked to done."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.core.models import Event
from loudou.teamwork import services
from loudou.teamwork.choices import ActionStatus
from loudou.teamwork.models import ActionItem, ReviewMeeting
from loudou.teamwork.tests.factories import add_action, local, make_meeting

pytestmark = pytest.mark.django_db


def test_a_meeting_keeps_its_record_and_attendees(manager, rep, teammate, team_a):
    # when
    meeting = make_meeting(
        actor=manager,
        team=team_a,
        attendees=[rep, teammate],
        other_attendees="市场部、产品部",
        lessons="价格谈判需提前知晓客户预算",
        decisions="建立转介绍奖励机制",
    )
    # then
    meeting.refresh_from_db()
    assert (meeting.organiser, meeting.team, meeting.held_at) == (
        manager,
        team_a,
        local(2026, 4, 5, 14, 0),
    )
    assert sorted(meeting.attendees.values_list("username", flat=True)) == ["rep", "teammate"]
    changes = [
        e.changes for e in Event.objects.for_object(meeting).filter(verb="teamwork.meeting_changed")
    ]
    assert changes == [
        [{"field": "attendees", "before": [], "after": sorted([str(rep), str(teammate)])}]
    ]


def test_a_rep_may_not_set_a_meeting_on_another_team(rep, team_b):
    with pytest.raises(ValidationError) as refused:
        make_meeting(actor=rep, team=team_b)
    assert refused.value.message_dict == {"team": ["只能选择您管理的团队或您所在的团队。"]}
    assert ReviewMeeting.objects.count() == 0


def test_an_action_is_tracked_to_done_by_its_owner(manager, rep, time_machine):
    # given
    time_machine.move_to(local(2026, 4, 9, 17, 0), tick=False)
    meeting = make_meeting(actor=manager, attendees=[rep])
    item = add_action(meeting=meeting, actor=manager, owner=rep, due_on=date(2026, 4, 10))
    # when
    services.complete_action_item(item=item, actor=rep)
    # then
    item.refresh_from_db()
    assert (item.status, item.done_at) == (ActionStatus.DONE, local(2026, 4, 9, 17, 0))
    assert not item.is_overdue(date(2026, 4, 11))
    # and it can be opened again
    services.reopen_action_item(item=item, actor=manager)
    item.refresh_from_db()
    assert (item.status, item.done_at) == (ActionStatus.OPEN, None)
    assert item.is_overdue(date(2026, 4, 11))
    verbs = list(Event.objects.for_object(item).order_by("pk").values_list("verb", flat=True))
    assert verbs == ["teamwork.action_created", "teamwork.action_done", "teamwork.action_reopened"]


def test_an_action_needs_an_owner_or_a_department(manager):
    meeting = make_meeting(actor=manager)
    with pytest.raises(ValidationError) as refused:
        add_action(meeting=meeting, actor=manager, department="")
    assert refused.value.message_dict == {"owner": ["请选择负责人，或填写负责部门。"]}
    assert ActionItem.objects.count() == 0


def test_an_attendee_neither_edits_the_record_nor_closes_others_actions(manager, rep, teammate):
    # given
    meeting = make_meeting(actor=manager, attendees=[rep, teammate])
    theirs = add_action(meeting=meeting, actor=manager, owner=teammate)
    # when / then
    with pytest.raises(PermissionDenied):
        services.update_meeting(meeting=meeting, actor=rep, values={"topic": "改"})
    with pytest.raises(PermissionDenied):
        services.add_action_item(
            meeting=meeting,
            actor=rep,
            values={"what": "x", "owner": rep, "due_on": date(2026, 4, 10)},
        )
    with pytest.raises(PermissionDenied):
        services.complete_action_item(item=theirs, actor=rep)
    theirs.refresh_from_db()
    assert (theirs.status, ActionItem.objects.count()) == (ActionStatus.OPEN, 1)
