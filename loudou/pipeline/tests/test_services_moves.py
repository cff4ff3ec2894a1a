"""move_stage: the one writer of a lead's funnel position and of the stage ledger."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from loudou.core.models import Event
from loudou.leads.choices import LeadStatus
from loudou.leads.models import Lead
from loudou.leads.services import register_lead, update_lead
from loudou.leads.tests.factories import make_lead
from loudou.pipeline.exceptions import StageMoveConflict
from loudou.pipeline.models import Pipeline, Stage, StageChange
from loudou.pipeline.services import move_stage, place_new_lead

pytestmark = pytest.mark.django_db


def _written() -> tuple[int, int]:
    return StageChange.objects.count(), Event.objects.count()


def test_move_appends_one_ledger_row_and_one_event(rep, lead, stages):
    # given a lead in the first stage
    before = _written()
    entered = lead.stage_entered_at
    # when the rep moves it on
    with time_machine.travel(entered + timedelta(days=2), tick=False):
        change = move_stage(
            lead=lead, to_stage=stages["graded"], actor=rep, via="form", reason="已核实"
        )
    # then exactly one ledger row and one event were written, with who/when/from/to/why
    assert _written() == (before[0] + 1, before[1] + 1)
    assert (change.from_stage, change.to_stage, change.actor, change.owner) == (
        stages["resource"],
        stages["graded"],
        rep,
        rep,
    )
    assert (change.at, change.via, change.reason) == (entered + timedelta(days=2), "form", "已核实")
    event = Event.objects.for_object(lead).first()
    assert (event.verb, event.actor, event.reason) == ("lead.stage_changed", rep, "已核实")
    assert event.changes == [{"field": "stage", "before": "客户资源", "after": "已分级"}]
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.stage, stored.stage_entered_at) == (stages["graded"], change.at)


def test_every_path_writes_exactly_one_ledger_row_and_one_event(rep, lead, stages):
    # given a lead in the first stage
    path = ["graded", "contacted", "lead_customer", "opportunity", "signed", "implemented"]
    vias = ["form", "kanban", "api", "import", "rule", "system"]
    for via, code in zip(vias, path, strict=True):
        before = _written()
        # when it is moved through each path
        move_stage(lead=lead, to_stage=stages[code], actor=rep, via=via)
        # then each move wrote one row and one event
        assert _written() == (before[0] + 1, before[1] + 1)
    rows = StageChange.objects.filter(lead=lead)
    assert list(rows.values_list("via", flat=True)) == ["form", *vias]
    assert list(rows.values_list("to_stage__code", flat=True)) == ["resource", *path]


def test_registration_places_a_valid_lead_in_the_first_stage(rep, stages, pipeline):
    # when a rep registers a valid lead
    lead = make_lead(actor=rep)
    # then it is in the default pipeline's first stage since its capture, by one ledger row
    change = StageChange.objects.get(lead=lead)
    assert (lead.pipeline, lead.stage, lead.stage_entered_at) == (
        pipeline,
        stages["resource"],
        lead.captured_at,
    )
    assert (change.from_stage, change.to_stage, change.via, change.actor) == (
        None,
        stages["resource"],
        "form",
        rep,
    )
    assert lead.status == LeadStatus.PENDING


@pytest.mark.parametrize("via", ["api", "import"])
def test_registration_records_the_path_it_came_through(rep, stages, via):
    # when a lead is registered through the API or an import
    lead = register_lead(
        actor=rep, values={"company_name": "成都远景贸易有限公司", "phone": "13900001111"}, via=via
    )
    # then its first ledger row names that path
    assert list(StageChange.objects.filter(lead=lead).values_list("via", flat=True)) == [via]


def test_backdated_registration_enters_the_funnel_at_capture_time(rep, stages):
    # given an import of a lead captured last month
    captured = timezone.now() - timedelta(days=30)
    # when it is registered
    lead = register_lead(
        actor=rep,
        values={"company_name": "苏州金石机械有限公司", "phone": "13900002222"},
        captured_at=captured,
        via="import",
    )
    # then it entered the first stage when it was captured
    assert StageChange.objects.get(lead=lead).at == captured
    assert Lead.objects.get(pk=lead.pk).stage_entered_at == captured


def test_invalid_lead_is_not_placed_and_enters_once_it_becomes_valid(rep, stages):
    # given a lead registered without any contact detail (invalid)
    lead = make_lead(actor=rep, phone="")
    assert (lead.is_valid, lead.stage, StageChange.objects.filter(lead=lead).count()) == (
        False,
        None,
        0,
    )
    # when a phone number is added
    update_lead(actor=rep, lead=lead, values={"phone": "13812340000"})
    # then it enters the first stage, with one ledger row
    change = StageChange.objects.get(lead=lead)
    assert (change.to_stage, change.via) == (stages["resource"], "form")
    assert Lead.objects.get(pk=lead.pk).stage == stages["resource"]


def test_place_new_lead_leaves_a_lead_already_in_a_stage_alone(rep, lead):
    # given a placed lead
    before = _written()
    # when it is placed again (e.g. a rule runs twice)
    result = place_new_lead(lead=lead, actor=rep, via="rule")
    # then nothing happens
    assert result is None
    assert _written() == before


def test_place_new_lead_does_nothing_without_an_active_default_pipeline(rep, pipeline):
    # given the default pipeline switched off
    Pipeline.objects.filter(pk=pipeline.pk).update(is_active=False)
    # when a lead is registered
    lead = make_lead(actor=rep)
    # then it waits outside any pipeline
    assert (lead.stage, StageChange.objects.filter(lead=lead).count()) == (None, 0)


def test_rule_like_placement_writes_one_row(rep, stages):
    # given a valid lead that missed its placement (no default pipeline back then)
    Pipeline.objects.filter(is_default=True).update(is_active=False)
    lead = make_lead(actor=rep)
    Pipeline.objects.filter(is_default=True).update(is_active=True)
    before = _written()
    # when a rule places it
    change = place_new_lead(lead=lead, actor=None, via="rule")
    # then one row and one event, by nobody (the system)
    assert _written() == (before[0] + 1, before[1] + 1)
    assert (change.to_stage, change.actor, change.via) == (stages["resource"], None, "rule")


def test_moving_to_the_current_stage_is_refused(rep, lead, stages):
    before = _written()
    with pytest.raises(ValidationError) as refused:
        move_stage(lead=lead, to_stage=stages["resource"], actor=rep, via="form")
    assert list(refused.value.message_dict) == ["to_stage"]
    assert _written() == before


def test_moving_to_a_stage_of_another_pipeline_is_refused(rep, lead):
    # given a second pipeline
    other = Pipeline.objects.create(name="渠道销售漏斗")
    stage = Stage.objects.create(pipeline=other, code="start", name="开始", order=1)
    before = _written()
    # when the lead is moved into it
    with pytest.raises(ValidationError) as refused:
        move_stage(lead=lead, to_stage=stage, actor=rep, via="form")
    # then it is refused, nothing written
    assert list(refused.value.message_dict) == ["to_stage"]
    assert _written() == before
    assert Lead.objects.get(pk=lead.pk).stage.code == "resource"


def test_an_invalid_lead_cannot_enter_the_funnel(rep, stages):
    lead = make_lead(actor=rep, phone="")
    with pytest.raises(ValidationError) as refused:
        move_stage(lead=lead, to_stage=stages["resource"], actor=rep, via="form")
    assert list(refused.value.message_dict) == ["to_stage"]
    assert StageChange.objects.filter(lead=lead).count() == 0


def test_abandoning_needs_a_lost_reason(rep, lead, stages):
    before = _written()
    with pytest.raises(ValidationError) as refused:
        move_stage(lead=lead, to_stage=stages["abandoned"], actor=rep, via="form")
    assert list(refused.value.message_dict) == ["lost_reason"]
    assert _written() == before
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.PENDING


def test_abandoning_records_the_lost_reason_and_the_lead_is_lost(rep, lead, stages, lost_reason):
    change = move_stage(
        lead=lead,
        to_stage=stages["abandoned"],
        actor=rep,
        via="form",
        reason="明年再议",
        lost_reason=lost_reason.pk,
    )
    assert (change.lost_reason, change.reason) == (lost_reason, "明年再议")
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.LOST
    assert Event.objects.for_object(lead).first().reason == "预算不足：明年再议"


def test_a_lost_reason_on_a_move_that_is_not_abandoning_is_refused(rep, lead, stages, lost_reason):
    with pytest.raises(ValidationError) as refused:
        move_stage(
            lead=lead, to_stage=stages["graded"], actor=rep, via="form", lost_reason=lost_reason
        )
    assert list(refused.value.message_dict) == ["lost_reason"]


def test_winning_records_win_factors_by_id_or_name(rep, lead, stages, win_factors):
    # given a lead at the opportunity stage
    move_stage(lead=lead, to_stage=stages["opportunity"], actor=rep, via="form")
    # when it is signed with two factors, one given by id, one by name
    change = move_stage(
        lead=lead,
        to_stage=stages["signed"],
        actor=rep,
        via="form",
        win_factors=[win_factors[0].pk, win_factors[1].name],
    )
    # then both are recorded (as ids) and the lead is converted
    assert change.win_factors == [win_factors[0].pk, win_factors[1].pk]
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CONVERTED


def test_unknown_win_factors_are_refused(rep, lead, stages):
    before = _written()
    with pytest.raises(ValidationError) as refused:
        move_stage(
            lead=lead, to_stage=stages["signed"], actor=rep, via="form", win_factors=["运气", 99999]
        )
    assert refused.value.message_dict == {"win_factors": ["不存在的赢单因素：99999、运气"]}
    assert _written() == before


def test_win_factors_on_a_move_that_is_not_a_win_are_refused(rep, lead, stages, win_factors):
    with pytest.raises(ValidationError) as refused:
        move_stage(
            lead=lead, to_stage=stages["graded"], actor=rep, via="form", win_factors=win_factors
        )
    assert list(refused.value.message_dict) == ["win_factors"]


def test_a_move_dated_before_entering_the_current_stage_is_refused(rep, lead, stages):
    with pytest.raises(ValidationError) as refused:
        move_stage(
            lead=lead,
            to_stage=stages["graded"],
            actor=rep,
            via="system",
            at=lead.stage_entered_at - timedelta(minutes=1),
        )
    assert list(refused.value.message_dict) == ["at"]


def test_an_unknown_path_is_refused(rep, lead, stages):
    with pytest.raises(ValidationError) as refused:
        move_stage(lead=lead, to_stage=stages["graded"], actor=rep, via="carrier_pigeon")
    assert list(refused.value.message_dict) == ["via"]


def test_an_id_card_number_in_the_reason_is_refused(rep, lead, stages):
    before = _written()
    with pytest.raises(ValidationError) as refused:
        move_stage(
            lead=lead,
            to_stage=stages["graded"],
            actor=rep,
            via="form",
            reason="客户身份证 11010519491231002X",
        )
    assert list(refused.value.message_dict) == ["reason"]
    assert _written() == before


def test_of_two_conflicting_moves_from_the_same_stage_exactly_one_wins(rep, manager, lead, stages):
    # given two people who both read the lead while it was in the first stage
    seen_by_rep = Lead.objects.get(pk=lead.pk)
    seen_by_manager = Lead.objects.get(pk=lead.pk)
    move_stage(lead=seen_by_rep, to_stage=stages["graded"], actor=rep, via="kanban")
    before = _written()
    # when the manager's move, based on the stale read, arrives second
    with pytest.raises(StageMoveConflict) as refused:
        move_stage(lead=seen_by_manager, to_stage=stages["contacted"], actor=manager, via="form")
    # then it is refused with a clear message, and nothing was written
    assert str(refused.value) == "该线索刚刚已被他人移动，请刷新后重试。"
    assert _written() == before
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.stage == stages["graded"]
    assert list(StageChange.objects.filter(lead=lead).values_list("to_stage__code", flat=True)) == [
        "resource",
        "graded",
    ]
    # and the stale object was not changed in memory either
    assert seen_by_manager.stage == stages["resource"]


def test_the_ledger_owner_is_the_owner_at_the_time(rep, teammate, manager, lead, stages):
    # given the lead handed to a teammate after its first move
    move_stage(lead=lead, to_stage=stages["graded"], actor=rep, via="form")
    update_lead(actor=manager, lead=lead, values={}, owner=teammate)
    # when the teammate moves it
    change = move_stage(lead=lead, to_stage=stages["contacted"], actor=teammate, via="form")
    # then each row names the owner of its time
    owners = list(StageChange.objects.filter(lead=lead).values_list("owner__username", flat=True))
    assert owners == ["rep", "rep", "teammate"]
    assert change.owner == teammate


def test_moving_back_out_of_abandoned_derives_the_status_again(rep, lead, stages, lost_reason):
    move_stage(
        lead=lead, to_stage=stages["abandoned"], actor=rep, via="form", lost_reason=lost_reason
    )
    move_stage(lead=lead, to_stage=stages["contacted"], actor=rep, via="form", reason="客户回来了")
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.PENDING
