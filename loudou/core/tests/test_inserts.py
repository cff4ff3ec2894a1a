"""core.inserts.insert_rows: instances or {attname: value} rows, defaults as the ORM's."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from loudou.core.inserts import insert_rows
from loudou.core.models import Event
from loudou.org.models import Region

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 20, 4, 0, tzinfo=UTC)


def test_dict_rows_take_each_missing_value_from_the_fields_default(rep):
    kind = ContentType.objects.get_for_model(Region)
    rows = [
        {"actor_id": rep.pk, "verb": "x.created", "content_type_id": kind.pk, "object_id": 1},
        {
            "actor_id": rep.pk,
            "verb": "x.updated",
            "content_type_id": kind.pk,
            "object_id": 1,
            "changes": [{"field": "name", "before": "甲", "after": "乙"}],
            "reason": "改名",
        },
    ]
    given = {**rows[0], "verb": "x.dated", "created_at": datetime(2026, 1, 2, tzinfo=UTC)}
    # when
    with time_machine.travel(NOW, tick=False):
        insert_rows(Event, [*rows, given])
    # then: as Event.objects.create would store them
    created, updated, dated = Event.objects.filter(verb__startswith="x.").order_by("id")
    assert dated.created_at == datetime(2026, 1, 2, tzinfo=UTC)  # a time given is kept
    assert (created.changes, created.reason, created.created_at) == ([], "", NOW)
    assert updated.changes == [{"field": "name", "before": "甲", "after": "乙"}]
    assert (updated.reason, updated.created_at, updated.actor) == ("改名", NOW, rep)


def test_instances_get_their_ids_and_a_conflict_is_skipped_only_when_asked():
    regions = [Region(name="测试区甲"), Region(name="测试区乙", name_en="Test B")]
    # when
    insert_rows(Region, regions, returning=True)
    # then
    assert [r.pk for r in regions] == list(
        Region.objects.filter(name__in=["测试区甲", "测试区乙"])
        .order_by("id")
        .values_list("pk", flat=True)
    )
    # when a row repeats a unique name
    insert_rows(Region, [{"name": "测试区甲"}, {"name": "测试区丙"}], ignore_conflicts=True)
    # then the new one is added, the repeated one left as it was
    assert Region.objects.filter(name="测试区甲").count() == 1
    assert Region.objects.get(name="测试区丙").is_active is True
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Region, [{"name": "测试区甲"}])
