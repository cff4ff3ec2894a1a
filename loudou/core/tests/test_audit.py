from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from loudou.core import audit
from loudou.core.models import AppendOnlyError, Event

NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def event(rep, manager):
    return audit.record(
        obj=rep,
        actor=manager,
        verb="user.updated",
        changes=[{"field": "capacity", "before": 30, "after": 40}],
        reason="旺季扩容",
    )


def test_record_appends_an_event_about_the_object(rep, manager):
    # when
    event = audit.record(obj=rep, actor=manager, verb="user.updated", reason="旺季扩容")

    # then
    stored = Event.objects.get()
    assert stored == event
    assert (stored.actor, stored.verb, stored.object_id, stored.reason) == (
        manager,
        "user.updated",
        rep.pk,
        "旺季扩容",
    )
    assert stored.changes == []
    assert stored.content_type.model_class() is type(rep)


def test_saving_an_existing_event_is_refused(event):
    # given
    event.reason = "改写历史"

    # when
    with pytest.raises(AppendOnlyError):
        event.save()

    # then
    assert Event.objects.get().reason == "旺季扩容"


def test_deleting_an_event_is_refused(event):
    # when
    with pytest.raises(AppendOnlyError):
        event.delete()

    # then
    assert Event.objects.filter(pk=event.pk).exists()


def test_updating_events_through_a_queryset_is_refused(event):
    # when
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(reason="改写历史")

    # then
    assert Event.objects.get().reason == "旺季扩容"


def test_updating_events_through_the_manager_or_bulk_update_is_refused(event):
    # given
    event.reason = "改写历史"

    # when / then
    with pytest.raises(AppendOnlyError):
        Event.objects.update(reason="改写历史")
    with pytest.raises(AppendOnlyError), transaction.atomic():
        Event.objects.bulk_update([event], ["reason"])
    assert Event.objects.get().reason == "旺季扩容"


def test_deleting_events_through_a_queryset_is_refused(event):
    # when
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()

    # then
    assert Event.objects.count() == 1


def test_history_lists_the_events_about_an_object_newest_first(rep, teammate, manager):
    # given
    with time_machine.travel(NINE, tick=False) as clock:
        first = audit.record(obj=rep, actor=manager, verb="user.created")
        clock.move_to(NINE + timedelta(hours=1))
        audit.record(obj=teammate, actor=manager, verb="user.created")
        second = audit.record(obj=rep, actor=rep, verb="user.language")
        clock.move_to(NINE + timedelta(days=1))
        third = audit.record(obj=rep, actor=manager, verb="user.updated")

    # when
    events = list(audit.history(rep))

    # then
    assert events == [third, second, first]
    assert [e.created_at for e in events] == [
        NINE + timedelta(days=1),
        NINE + timedelta(hours=1),
        NINE,
    ]


def test_events_recorded_in_the_same_instant_are_listed_newest_first(rep, manager):
    # given
    with time_machine.travel(NINE, tick=False):
        first = audit.record(obj=rep, actor=manager, verb="user.created")
        second = audit.record(obj=rep, actor=manager, verb="user.updated")

    # when / then
    assert list(audit.history(rep)) == [second, first]


def test_diff_lists_only_changed_fields():
    # when
    changes = audit.diff({"a": 1, "b": "x", "c": None}, {"a": 1, "b": "y", "c": 2})

    # then
    assert changes == [
        {"field": "b", "before": "x", "after": "y"},
        {"field": "c", "before": None, "after": 2},
    ]
