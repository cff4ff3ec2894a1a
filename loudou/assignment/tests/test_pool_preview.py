"""Before a pool's settings are saved, the director sees how many leads the next recycle
run would take from which reps, and confirms: the service, the page and the API."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from loudou.assignment.choices import EntryReason
from loudou.assignment.models import Pool, PoolEntry
from loudou.assignment.services import recycle
from loudou.assignment.services.configuration import save_pool
from loudou.assignment.services.preview import preview_pool
from loudou.assignment.tests.factories import make_pool, pool_form
from loudou.core.models import Event
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.models import Region
from loudou.org.services import issue_api_token
from loudou.pipeline.models import Stage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
NEW_POOL = {"name": "华南公海", "protection_days": 30, "recycle_lost": True}
REFUSED = ["rep", "manager", "marketing"]


def _lead(owner, n: int, *, quiet_days: int, region=None, lost: bool = False) -> Lead:
    """A lead of `owner` last touched `quiet_days` ago (abandoned when `lost`)."""
    values = {"company_name": f"测试公司{n}", "phone": f"1391234{n:04d}", "region": region}
    lead = make_lead(actor=owner, owner=owner, **values)
    update = {"assigned_at": NOW - timedelta(days=quiet_days)}
    if lost:
        update |= {"stage": Stage.objects.get(kind="lost"), "stage_entered_at": NOW}
    Lead.objects.filter(pk=lead.pk).update(**update)
    return lead


@pytest.fixture
def books(rep, teammate, time_machine):
    """rep: three neglected leads (one of them in 华南) and a fresh one; teammate: one
    abandoned lead and one neglected for 20 days only."""
    time_machine.move_to(NOW, tick=False)
    south = Region.objects.get(name="华南")
    return {
        "rep_old": [_lead(rep, 1, quiet_days=45), _lead(rep, 2, quiet_days=60)],
        "rep_south": _lead(rep, 3, quiet_days=50, region=south),
        "rep_fresh": _lead(rep, 4, quiet_days=5),
        "teammate_lost": _lead(teammate, 5, quiet_days=2, lost=True),
        "teammate_quiet": _lead(teammate, 6, quiet_days=20),
    }


def _written() -> tuple:
    owners = tuple(Lead.objects.order_by("pk").values_list("owner_id", flat=True))
    return Pool.objects.count(), PoolEntry.objects.count(), Event.objects.count(), owners


def _pooled_ids(pool: Pool) -> tuple[int, ...]:
    return tuple(sorted(pool.entries.values_list("lead_id", flat=True)))


# --- the service ---------------------------------------------------------------------------


def test_preview_counts_per_rep_and_reason_and_writes_nothing(books, director, rep, teammate):
    # given
    before = _written()

    # when
    preview = preview_pool(actor=director, pool=None, values=NEW_POOL)

    # then
    assert (preview.total, preview.reps) == (4, 2)
    assert preview.by_owner == ((rep, 3), (teammate, 1))
    assert preview.by_reason == {EntryReason.NO_FOLLOW_UP: 3, EntryReason.LOST: 1}
    assert preview.lead_ids == tuple(
        sorted(
            [*(lead.pk for lead in books["rep_old"]), books["rep_south"].pk]
            + [books["teammate_lost"].pk]
        )
    )
    assert _written() == before


def test_the_recycle_run_after_saving_moves_exactly_the_previewed_leads(books, director):
    # given
    preview = preview_pool(actor=director, pool=None, values=NEW_POOL)

    # when
    pool = save_pool(actor=director, pool=None, values=NEW_POOL)
    moved = recycle(NOW)

    # then
    assert moved == preview.total == 4
    assert _pooled_ids(pool) == preview.lead_ids


def test_a_more_specific_pool_keeps_its_leads_out_of_the_preview(books, director):
    # given: a 华南 pool already takes the south lead
    south_pool = make_pool(name="华南区域公海", region=Region.objects.get(name="华南"))
    values = {**NEW_POOL, "name": "总公海"}

    # when
    preview = preview_pool(actor=director, pool=None, values=values)
    pool = save_pool(actor=director, pool=None, values=values)
    moved = recycle(NOW)

    # then
    assert preview.total == 3
    assert _pooled_ids(pool) == preview.lead_ids
    assert _pooled_ids(south_pool) == (books["rep_south"].pk,)
    assert moved == 4


def test_previewing_an_edit_uses_the_new_settings_and_leaves_the_pool_as_it_was(books, director):
    # given: a pool that protects leads for 90 days and keeps abandoned ones with the reps
    pool = make_pool(name="华东公海", protection_days=90, recycle_lost=False)
    before = _written()
    shorter = {"name": "华东公海", "protection_days": 15, "recycle_lost": False}

    # when
    unchanged = preview_pool(actor=director, pool=pool, values={"name": "华东公海"})
    edited = preview_pool(actor=director, pool=pool, values=shorter)

    # then
    assert unchanged.total == 0
    assert edited.total == 4
    assert edited.by_reason == {EntryReason.NO_FOLLOW_UP: 4}
    pool.refresh_from_db()
    assert (pool.protection_days, pool.recycle_lost) == (90, False)
    assert _written() == before


def test_an_inactive_pool_would_recycle_nothing(books, director):
    # given
    values = {**NEW_POOL, "is_active": False}

    # when
    preview = preview_pool(actor=director, pool=None, values=values)

    # then
    assert (preview.total, preview.reps, preview.by_owner) == (0, 0, ())


@pytest.mark.parametrize("who", REFUSED)
def test_only_directors_and_admins_may_preview(books, request, who):
    # given
    user = request.getfixturevalue(who)
    before = _written()

    # when
    with pytest.raises(PermissionDenied):
        preview_pool(actor=user, pool=None, values=NEW_POOL)

    # then
    assert _written() == before


# --- the page ------------------------------------------------------------------------------


def test_creating_a_pool_on_the_page_shows_the_preview_and_saves_nothing(client, books, director):
    # given
    client.force_login(director)
    before = _written()

    # when
    response = client.post(reverse("assignment:pool_create"), pool_form())

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "保存后，该公海将在下次自动回收时从 2 名负责人手中收回 4 条线索。" in page
    assert 'id="recycle-preview-owners"' in page
    assert "确认保存" in page
    assert _written() == before


def test_confirming_the_preview_saves_the_pool_and_the_run_recycles_that_many(
    client, books, director
):
    # given
    client.force_login(director)
    token = preview_pool(actor=director, pool=None, values=NEW_POOL).token

    # when
    response = client.post(reverse("assignment:pool_create"), pool_form(confirm=token))
    moved = recycle(NOW)

    # then
    assert response.status_code == 302
    pool = Pool.objects.get(name="华南公海")
    assert moved == len(_pooled_ids(pool)) == 4


def test_a_stale_confirmation_shows_the_new_preview_instead_of_saving(
    client, books, director, teammate
):
    # given: the director saw the preview, then another lead went quiet
    client.force_login(director)
    token = preview_pool(actor=director, pool=None, values=NEW_POOL).token
    _lead(teammate, 7, quiet_days=40)

    # when
    response = client.post(reverse("assignment:pool_create"), pool_form(confirm=token))

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "待回收的线索已有变化，请核对后再确认。" in page
    assert "从 2 名负责人手中收回 5 条线索" in page
    assert not Pool.objects.exists()


def test_editing_a_pool_to_a_shorter_protection_asks_for_confirmation(client, books, director):
    # given
    pool = make_pool(name="华南公海", protection_days=90, recycle_lost=False)
    client.force_login(director)

    # when
    form = pool_form(protection_days="15")
    del form["recycle_lost"]  # an unticked box is not posted
    response = client.post(reverse("assignment:pool_edit", args=[pool.pk]), form)

    # then
    assert response.status_code == 200
    assert "收回 4 条线索" in response.content.decode()
    pool.refresh_from_db()
    assert pool.protection_days == 90


@pytest.mark.parametrize("who", REFUSED)
def test_others_are_refused_the_preview_on_the_page(client, books, request, who):
    # given
    client.force_login(request.getfixturevalue(who))
    before = _written()

    # when
    response = client.post(reverse("assignment:pool_create"), pool_form())

    # then
    assert response.status_code == 403
    assert _written() == before


# --- the API -------------------------------------------------------------------------------


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _post(client, url: str, auth: dict, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json", **auth)


def test_the_api_preview_gives_the_counts_and_the_run_then_recycles_them(
    client, books, director, rep, teammate
):
    # given
    auth = _auth(director)
    before = _written()

    # when
    response = _post(client, "/api/assignment/pools/preview", auth, NEW_POOL)
    after_preview = _written()
    created = _post(client, "/api/assignment/pools", auth, NEW_POOL)
    moved = recycle(NOW)

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["pool"], body["leads"], body["reps"]) == ("华南公海", 4, 2)
    assert body["by_owner"] == [
        {"user_id": rep.pk, "name": str(rep), "leads": 3},
        {"user_id": teammate.pk, "name": str(teammate), "leads": 1},
    ]
    assert body["by_reason"] == {"no_follow_up": 3, "lost": 1}
    assert after_preview == before
    assert created.status_code == 201
    assert moved == body["leads"]


def test_the_api_previews_an_edit_and_refuses_bad_values(client, books, director):
    # given
    pool = make_pool(name="华东公海", protection_days=90)
    make_pool(name="华南公海")
    auth = _auth(director)

    # when
    edit = _post(
        client, f"/api/assignment/pools/{pool.pk}/preview", auth, {**NEW_POOL, "name": "华东公海"}
    )
    duplicate = _post(client, "/api/assignment/pools/preview", auth, NEW_POOL)
    missing = _post(client, "/api/assignment/pools/99999/preview", auth, NEW_POOL)

    # then
    assert (edit.status_code, edit.json()["leads"]) == (200, 4)
    assert duplicate.status_code == 422
    assert "name" in duplicate.json()["errors"]
    assert missing.status_code == 404
    pool.refresh_from_db()
    assert pool.protection_days == 90


@pytest.mark.parametrize("who", REFUSED)
def test_others_are_refused_the_preview_in_the_api(client, books, request, who):
    # given
    auth = _auth(request.getfixturevalue(who))
    pool = make_pool(name="华东公海", protection_days=90)
    before = _written()

    # when
    new = _post(client, "/api/assignment/pools/preview", auth, NEW_POOL)
    edit = _post(client, f"/api/assignment/pools/{pool.pk}/preview", auth, NEW_POOL)

    # then
    assert (new.status_code, edit.status_code) == (403, 403)
    assert _written() == before
