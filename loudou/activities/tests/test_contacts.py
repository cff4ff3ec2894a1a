"""The lead's kept follow-up figures (first and last contact, follow-ups since the stage
entry) equal what its follow-ups say, after follow-ups (late-logged too), moves and merges, and
`recount` restores them."""

import importlib
import random
from datetime import datetime, timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.utils import timezone

from loudou.activities.models import FollowUp
from loudou.activities.services.contacts import recount
from loudou.activities.tests.factories import log
from loudou.leads.choices import LeadStatus
from loudou.leads.models import Lead
from loudou.leads.services.merge import merge_leads
from loudou.leads.tests.factories import make_lead
from loudou.pipeline.models import Pipeline
from loudou.pipeline.services import move_stage

START = datetime(2026, 3, 2, 9, tzinfo=timezone.get_default_timezone())


def _expected(lead: Lead) -> tuple:
    """Straight from the follow-up rows, in Python."""
    lead.refresh_from_db()
    moments = list(FollowUp.objects.filter(lead=lead).values_list("occurred_at", flat=True))
    since = lead.stage_entered_at
    in_stage = 0 if since is None else sum(1 for m in moments if m >= since)
    return (min(moments) if moments else None, max(moments) if moments else None, in_stage)


def _kept(lead: Lead) -> tuple:
    return tuple(
        Lead.objects.filter(pk=lead.pk).values_list(
            "first_contact_at", "last_contact_at", "stage_follow_ups"
        )[0]
    )


def _walk(lead: Lead, rng: random.Random, steps: int) -> None:
    """Follow-ups (some logged late, dated before the last one or the stage entry) and
    forward moves, in random order, the clock moving on."""
    stages = list(Pipeline.objects.get(is_default=True).stages.filter(kind="open"))
    clock = START
    for _step in range(steps):
        clock += timedelta(hours=rng.randint(1, 30))
        lead.refresh_from_db()
        later = [s for s in stages if s.order > (lead.stage.order if lead.stage else 0)]
        if later and rng.random() < 0.3:
            move_stage(lead=lead, to_stage=later[0], actor=lead.owner, via="form", at=clock)
        else:
            back = timedelta(hours=rng.choice([0, 0, 2, 40]))  # late-logged ones
            with time_machine.travel(clock, tick=False):
                log(lead=lead, actor=lead.owner, occurred_at=clock - back)
        assert _kept(lead) == _expected(lead)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_figures_follow_follow_ups_and_moves(rep, seed):
    # given
    with time_machine.travel(START - timedelta(days=1), tick=False):
        lead = make_lead(actor=rep, owner=rep, company_name=f"计数{seed}科技有限公司")
    # when / then (checked after every step)
    _walk(lead, random.Random(seed), 25)
    assert _kept(lead)[2] >= 0


def test_a_merge_recounts_the_survivor_and_the_duplicate(rep):
    # given: two leads of the same company, each followed up
    with time_machine.travel(START - timedelta(days=5), tick=False):
        survivor = make_lead(actor=rep, owner=rep, company_name="合并计数科技有限公司")
        duplicate = make_lead(
            actor=rep, owner=rep, company_name="合并计数科技", phone="13900001111"
        )
    _walk(survivor, random.Random(7), 6)
    latest = START + timedelta(days=20)
    with time_machine.travel(latest, tick=False):
        log(lead=duplicate, actor=rep, occurred_at=START - timedelta(days=4))
        log(lead=duplicate, actor=rep, occurred_at=latest)
    # when
    with time_machine.travel(START + timedelta(days=30), tick=False):
        merge_leads(survivor=survivor, duplicate=duplicate, actor=rep)
    # then: the duplicate's earlier follow-up is now the survivor's first contact, and its
    # later one the survivor's last contact
    assert _kept(survivor) == _expected(survivor)
    assert _kept(survivor)[:2] == (START - timedelta(days=4), latest)
    assert _kept(duplicate) == (None, None, 0)


def test_recount_restores_figures_written_wrong(rep, teammate):
    # given
    leads = []
    for n, owner in enumerate([rep, teammate]):
        with time_machine.travel(START - timedelta(days=1), tick=False):
            lead = make_lead(actor=owner, owner=owner, company_name=f"重算{n}科技有限公司")
        _walk(lead, random.Random(n), 8)
        leads.append(lead)
    right = [_kept(lead) for lead in leads]
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(
        first_contact_at=None, last_contact_at=None, stage_follow_ups=99
    )
    # when
    updated = recount([leads[0].pk])
    # then: only the asked lead is restored, then all
    assert updated == 1
    assert _kept(leads[0]) == right[0]
    assert _kept(leads[1]) == (None, None, 99)
    recount()
    assert [_kept(lead) for lead in leads] == right


def test_the_migration_moves_a_last_contact_left_behind_up_to_the_latest_follow_up(rep):
    # given: a survivor of an older merge, its last contact behind its follow-ups
    with time_machine.travel(START - timedelta(days=1), tick=False):
        lead = make_lead(actor=rep, owner=rep, company_name="旧合并科技有限公司")
    _walk(lead, random.Random(5), 6)
    right = _kept(lead)
    Lead.objects.filter(pk=lead.pk).update(last_contact_at=START - timedelta(days=9))
    untouched = make_lead(actor=rep, owner=rep, company_name="未跟进科技有限公司")
    Lead.objects.filter(pk=untouched.pk).update(last_contact_at=START)  # no follow-ups
    repair = importlib.import_module("loudou.leads.migrations.0013_last_contact_bound")
    # when
    repair.repair_last_contact(django_apps, None)
    # then
    assert _kept(lead) == right
    assert _kept(untouched)[1] == START


def test_a_survivor_never_contacted_takes_the_duplicates_contact_and_status(rep):
    # given: the survivor was never followed up, the duplicate was
    with time_machine.travel(START - timedelta(days=5), tick=False):
        survivor = make_lead(actor=rep, owner=rep, company_name="待跟进合并科技有限公司")
        duplicate = make_lead(
            actor=rep, owner=rep, company_name="待跟进合并科技", phone="13900002222"
        )
    with time_machine.travel(START, tick=False):
        log(lead=duplicate, actor=rep, occurred_at=START)
    assert survivor.status == LeadStatus.PENDING
    # when
    with time_machine.travel(START + timedelta(days=1), tick=False):
        merge_leads(survivor=survivor, duplicate=duplicate, actor=rep)
    # then
    survivor.refresh_from_db()
    assert (survivor.last_contact_at, survivor.status) == (START, LeadStatus.IN_PROGRESS)
