"""Duplicates at entry (register_lead's on_duplicate) and merging leads."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from loudou.activities.tests.factories import log
from loudou.core.audit import history
from loudou.leads.exceptions import DuplicateLead
from loudou.leads.models import DedupePolicy, Lead, NeedItem
from loudou.leads.selectors import lead_timeline
from loudou.leads.services import register_lead, update_lead
from loudou.leads.services.merge import merge_leads
from loudou.leads.tests.factories import make_lead
from loudou.pipeline.selectors import board_columns

pytestmark = pytest.mark.django_db

NEW = {"company_name": "杭州数智科技股份有限公司", "contact_name": "李娜", "phone": "13700001111"}


def test_check_refuses_a_duplicate_and_writes_nothing(rep, other_team_rep):
    # given
    existing = make_lead(actor=other_team_rep, company_name="杭州数智科技有限公司")
    before = Lead.objects.count()

    # when
    with pytest.raises(DuplicateLead) as caught:
        register_lead(actor=rep, values=dict(NEW), on_duplicate="check")

    # then
    assert caught.value.code == "duplicate"
    assert [m.lead.pk for m in caught.value.matches] == [existing.pk]
    assert caught.value.matches[0].state_for(rep) == "protected"
    assert Lead.objects.count() == before


def test_check_registers_when_there_is_no_duplicate(rep):
    # when
    lead = register_lead(actor=rep, values=dict(NEW), on_duplicate="check")

    # then
    assert "lead.duplicates_kept" not in [e.verb for e in history(lead)]


def test_keep_registers_and_records_the_matches(rep):
    # given
    existing = make_lead(actor=rep, company_name="杭州数智科技有限公司")

    # when
    lead = register_lead(actor=rep, values=dict(NEW), on_duplicate="keep")

    # then
    [event] = [e for e in history(lead) if e.verb == "lead.duplicates_kept"]
    assert event.changes == [
        {"field": "duplicates", "before": None, "after": f"{existing.number} (company 100)"}
    ]


def test_link_registers_under_the_matched_leads_customer(rep):
    # given
    existing = make_lead(actor=rep, company_name="杭州数智科技有限公司")

    # when
    lead = register_lead(actor=rep, values=dict(NEW), on_duplicate="link", duplicate_of=existing)

    # then
    assert lead.pk != existing.pk
    assert lead.customer_id == existing.customer_id


def test_merge_at_entry_fills_the_existing_lead_and_creates_nothing(rep):
    # given
    existing = make_lead(actor=rep, company_name="杭州数智科技有限公司", email="")
    before = Lead.objects.count()

    # when
    lead = register_lead(
        actor=rep,
        values={**NEW, "email": "li@example.com"},
        on_duplicate="merge",
        duplicate_of=existing,
    )

    # then
    assert lead.pk == existing.pk
    assert Lead.objects.count() == before
    lead.refresh_from_db()
    assert (lead.email, lead.phone, lead.company_name) == (
        "li@example.com",
        "+8613812345678",
        "杭州数智科技有限公司",
    )


def test_link_or_merge_into_an_invisible_lead_is_refused(rep, other_team_rep):
    # given
    theirs = make_lead(actor=other_team_rep, company_name="杭州数智科技有限公司")
    before = Lead.objects.count()

    # when / then
    for choice in ("link", "merge"):
        with pytest.raises(Http404):
            register_lead(actor=rep, values=dict(NEW), on_duplicate=choice, duplicate_of=theirs)
    assert Lead.objects.count() == before


def test_policy_blocks_api_duplicates_and_warns_on_imports(rep):
    # given
    make_lead(actor=rep, company_name="杭州数智科技有限公司")
    DedupePolicy.objects.update_or_create(pk=1, defaults={"api_action": "block"})

    # when / then
    with pytest.raises(DuplicateLead):
        register_lead(actor=rep, values=dict(NEW), via="api", on_duplicate="policy")
    lead = register_lead(actor=rep, values=dict(NEW), via="import", on_duplicate="policy")
    assert lead.pk is not None


def test_an_unknown_choice_is_refused(rep):
    with pytest.raises(ValidationError):
        register_lead(actor=rep, values=dict(NEW), on_duplicate="ignore")


def test_merging_moves_follow_ups_needs_and_fills_empty_fields(rep):
    # given
    survivor = make_lead(actor=rep, company_name="杭州数智科技有限公司", email="")
    duplicate = make_lead(
        actor=rep, company_name="杭州数智科技", email="li@example.com", wechat="lina_2024"
    )
    follow_up = log(lead=duplicate, actor=rep)
    NeedItem.objects.create(lead=duplicate, need="排产", score=4)

    # when
    merged = merge_leads(survivor=survivor, duplicate=duplicate, actor=rep)

    # then
    duplicate.refresh_from_db()
    follow_up.refresh_from_db()
    assert (merged.email, merged.wechat, merged.company_name) == (
        "li@example.com",
        "lina_2024",
        "杭州数智科技有限公司",
    )
    assert follow_up.lead_id == survivor.pk
    assert list(survivor.needs.values_list("need", flat=True)) == ["排产"]
    assert (duplicate.merged_into_id, duplicate.is_valid) == (survivor.pk, False)
    labels = [str(entry["label"]) for entry in lead_timeline(survivor, rep)]
    assert labels[0] == "合并线索"
    assert [e.verb for e in history(duplicate)][0] == "lead.merged_into"


def test_a_lead_merges_only_once(rep):
    # given
    survivor = make_lead(actor=rep)
    other = make_lead(actor=rep)
    duplicate = make_lead(actor=rep)
    merge_leads(survivor=survivor, duplicate=duplicate, actor=rep)

    # when / then
    with pytest.raises(ValidationError):
        merge_leads(survivor=other, duplicate=duplicate, actor=rep)
    with pytest.raises(ValidationError):
        merge_leads(survivor=duplicate, duplicate=other, actor=rep)
    with pytest.raises(ValidationError):
        merge_leads(survivor=other, duplicate=other, actor=rep)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk


def test_merging_needs_both_leads_visible(rep, other_team_rep):
    # given
    mine = make_lead(actor=rep)
    theirs = make_lead(actor=other_team_rep)

    # when / then
    with pytest.raises(Http404):
        merge_leads(survivor=mine, duplicate=theirs, actor=rep)
    with pytest.raises(Http404):
        merge_leads(survivor=theirs, duplicate=mine, actor=rep)
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None
    assert [e.verb for e in history(mine)].count("lead.merged") == 0


def test_a_merged_lead_can_no_longer_be_edited(rep):
    # given
    survivor = make_lead(actor=rep)
    duplicate = make_lead(actor=rep)
    merge_leads(survivor=survivor, duplicate=duplicate, actor=rep)
    duplicate.refresh_from_db()

    # when / then
    with pytest.raises(ValidationError):
        update_lead(actor=rep, lead=duplicate, values={"notes": "再次编辑"})
    duplicate.refresh_from_db()
    assert (duplicate.notes, duplicate.is_valid) == ("", False)


def test_a_merged_lead_leaves_the_kanban_board(rep):
    # given
    survivor = make_lead(actor=rep)
    duplicate = make_lead(actor=rep)

    # when
    merge_leads(survivor=survivor, duplicate=duplicate, actor=rep)

    # then
    columns = board_columns(rep, survivor.pipeline, {})
    assert sum(column.count for column in columns) == 1
