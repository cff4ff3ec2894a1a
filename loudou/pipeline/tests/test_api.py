"""The pipeline API: the same rules as the pages."""

import pytest

from loudou.core.models import Event
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.models import ProductLine
from loudou.org.services import issue_api_token
from loudou.pipeline.models import Pipeline, Stage, StageChange
from loudou.pipeline.services import move_stage

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _post(client, url, body, user):
    return client.post(url, body, content_type="application/json", **_auth(user))


def _patch(client, url, body, user):
    return client.patch(url, body, content_type="application/json", **_auth(user))


# moving --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rep", 201),
        ("teammate", 404),
        ("manager", 201),
        ("other_team_rep", 404),
        ("director", 201),
        ("marketing", 404),
        ("admin_user", 201),
    ],
)
def test_who_may_move_a_reps_lead_through_the_api(client, cast, lead, stages, who, status):
    # when each of the cast moves the rep's lead
    response = _post(
        client,
        f"/api/pipeline/leads/{lead.pk}/stage",
        {"to_stage_id": stages["graded"].pk, "reason": "已核实"},
        cast[who],
    )
    # then the allowed get the new ledger row; for the others the lead does not exist
    assert response.status_code == status
    rows = StageChange.objects.filter(lead=lead)
    if status == 201:
        assert response.json()["to_stage"] == "已分级"
        assert response.json()["via"] == "api"
        assert rows.count() == 2
    else:
        assert rows.count() == 1
        assert Lead.objects.get(pk=lead.pk).stage == stages["resource"]


def test_api_move_writes_one_row_and_one_event(client, rep, lead, stages, win_factors):
    # given the lead at the opportunity stage
    move_stage(lead=lead, to_stage=stages["opportunity"], actor=rep, via="form")
    rows, events = StageChange.objects.count(), Event.objects.count()
    # when it is signed through the API
    response = _post(
        client,
        f"/api/pipeline/leads/{lead.pk}/stage",
        {"to_stage_id": stages["signed"].pk, "win_factor_ids": [f.pk for f in win_factors]},
        rep,
    )
    # then
    body = response.json()
    assert response.status_code == 201
    assert (StageChange.objects.count(), Event.objects.count()) == (rows + 1, events + 1)
    assert (body["from_stage"], body["to_stage"], body["via"], body["actor_id"]) == (
        "意向客户(商机)",
        "签约客户",
        "api",
        rep.pk,
    )
    assert body["win_factor_ids"] == [f.pk for f in win_factors]


def test_api_abandoning_without_a_reason_is_422(client, rep, lead, stages, lost_reason):
    url = f"/api/pipeline/leads/{lead.pk}/stage"
    refused = _post(client, url, {"to_stage_id": stages["abandoned"].pk}, rep)
    assert refused.status_code == 422
    assert refused.json() == {"errors": {"lost_reason": ["放弃客户必须选择放弃原因。"]}}
    assert StageChange.objects.filter(lead=lead).count() == 1
    done = _post(
        client,
        url,
        {"to_stage_id": stages["abandoned"].pk, "lost_reason_id": lost_reason.pk},
        rep,
    )
    assert (done.status_code, done.json()["lost_reason"]) == (201, "预算不足")


def test_api_move_to_an_unknown_stage_is_422(client, rep, lead):
    response = _post(client, f"/api/pipeline/leads/{lead.pk}/stage", {"to_stage_id": 999999}, rep)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["to_stage_id"]


def test_api_move_of_a_lead_moved_meanwhile_is_409(client, rep, lead, stages, monkeypatch):
    # given the API reads a stale lead: it was moved in between
    stale = Lead.objects.get(pk=lead.pk)
    move_stage(lead=lead, to_stage=stages["contacted"], actor=rep, via="form")
    monkeypatch.setattr("loudou.pipeline.api.access_lead", lambda user, pk: stale)
    # when the API move arrives
    response = _post(
        client, f"/api/pipeline/leads/{lead.pk}/stage", {"to_stage_id": stages["graded"].pk}, rep
    )
    # then it is a conflict and nothing is written
    assert response.status_code == 409
    assert response.json()["code"] == "stage_move_conflict"
    assert StageChange.objects.filter(lead=lead).count() == 2


def test_api_registration_places_the_lead_via_api(client, rep, stages):
    response = _post(
        client, "/api/leads", {"company_name": "青岛海川食品有限公司", "phone": "13912345678"}, rep
    )
    assert response.status_code == 201
    change = StageChange.objects.get(lead_id=response.json()["id"])
    assert (change.to_stage, change.via) == (stages["resource"], "api")


def test_api_edit_that_makes_a_lead_valid_places_it_via_api(client, rep, stages):
    # given a lead registered through the API without any contact detail (invalid)
    created = _post(client, "/api/leads", {"company_name": "无锡新材料有限公司"}, rep)
    lead_id = created.json()["id"]
    assert not StageChange.objects.filter(lead_id=lead_id).exists()
    # when a phone number is added through the API
    response = _patch(client, f"/api/leads/{lead_id}", {"phone": "13912340000"}, rep)
    # then the lead enters the first stage, recorded as an API move
    assert response.status_code == 200
    change = StageChange.objects.get(lead_id=lead_id)
    assert (change.to_stage, change.via) == (stages["resource"], "api")


# the ledger ----------------------------------------------------------------------------


def test_ledger_of_a_visible_lead_lists_its_rows(client, rep, lead, stages, lost_reason):
    move_stage(
        lead=lead,
        to_stage=stages["abandoned"],
        actor=rep,
        via="form",
        lost_reason=lost_reason,
        reason="预算砍掉",
    )
    response = client.get(f"/api/pipeline/leads/{lead.pk}/stage-changes", **_auth(rep))
    rows = response.json()
    assert response.status_code == 200
    assert [(r["from_stage"], r["to_stage"], r["via"]) for r in rows] == [
        (None, "客户资源", "form"),
        ("客户资源", "放弃", "form"),
    ]
    assert (rows[1]["lost_reason"], rows[1]["reason"], rows[1]["owner_id"]) == (
        "预算不足",
        "预算砍掉",
        rep.pk,
    )


@pytest.mark.parametrize("who", ["teammate", "other_team_rep", "marketing"])
def test_ledger_of_an_invisible_lead_is_404(client, cast, lead, who):
    response = client.get(f"/api/pipeline/leads/{lead.pk}/stage-changes", **_auth(cast[who]))
    assert response.status_code == 404


# the board -----------------------------------------------------------------------------


def test_api_board_has_counts_sums_and_only_visible_cards(client, rep, other_team_rep, lead):
    other = make_lead(actor=other_team_rep, phone="13833334444")
    response = client.get("/api/pipeline/board", **_auth(rep))
    body = response.json()
    first = body["columns"][0]
    assert response.status_code == 200
    assert body["pipeline_id"] == Pipeline.objects.get(is_default=True).pk
    assert [c["stage"] for c in body["columns"]] == [
        "客户资源",
        "已分级",
        "已接触",
        "线索客户",
        "意向客户(商机)",
        "签约客户",
        "已实施",
        "放弃",
    ]
    assert (first["count"], first["amounts"]) == (1, {})
    assert [card["id"] for card in first["cards"]] == [lead.pk]
    assert other.pk not in [card["id"] for col in body["columns"] for card in col["cards"]]


def test_api_board_filters_by_source_code_and_grade(client, rep, lead):
    trade_show = make_lead(actor=rep, phone="13822223333", source=_source("trade_show"))
    by_source = client.get("/api/pipeline/board", {"source": "trade_show"}, **_auth(rep)).json()
    by_grade = client.get("/api/pipeline/board", {"grade": "A"}, **_auth(rep)).json()
    assert [c["id"] for c in by_source["columns"][0]["cards"]] == [trade_show.pk]
    assert by_grade["columns"][0]["count"] == 0


def test_api_board_with_an_unknown_source_is_422(client, rep):
    response = client.get("/api/pipeline/board", {"source": "nowhere"}, **_auth(rep))
    assert response.status_code == 422


def _source(code):
    from loudou.leads.models import SourceChannel

    return SourceChannel.objects.get(code=code)


# opportunity ---------------------------------------------------------------------------


def test_api_opportunity_patch_sets_the_fields(client, rep, lead):
    product = ProductLine.objects.first()
    response = _patch(
        client,
        f"/api/pipeline/leads/{lead.pk}/opportunity",
        {
            "amount": "99000.50",
            "currency": "USD",
            "product_ids": [product.pk],
            "management_contact_id": lead.contact_id,
            "probability": 35,
        },
        rep,
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["amount"], body["currency"], body["product_ids"]) == (
        "99000.50",
        "USD",
        [product.pk],
    )
    assert (body["management_contact_id"], body["probability"]) == (lead.contact_id, 35)


@pytest.mark.parametrize("who", ["teammate", "other_team_rep", "marketing"])
def test_api_opportunity_of_an_invisible_lead_is_404(client, cast, lead, who):
    response = _patch(
        client, f"/api/pipeline/leads/{lead.pk}/opportunity", {"amount": "1"}, cast[who]
    )
    assert response.status_code == 404
    assert Lead.objects.get(pk=lead.pk).amount is None


def test_api_opportunity_refuses_a_contact_of_another_customer(client, rep, lead):
    other = make_lead(
        actor=rep, company_name="另一家公司", contact_name="韩梅梅", phone="13900001234"
    )
    response = _patch(
        client,
        f"/api/pipeline/leads/{lead.pk}/opportunity",
        {"technical_contact_id": other.contact_id},
        rep,
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["technical_contact"]


# configuration and reference lists -------------------------------------------------------


def test_anyone_reads_pipelines_with_stages_and_ideal_state(client, rep):
    body = client.get("/api/pipeline/pipelines", **_auth(rep)).json()
    default = next(p for p in body if p["is_default"])
    opportunity = next(s for s in default["stages"] if s["code"] == "opportunity")
    assert [s["order"] for s in default["stages"]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert (opportunity["ideal_days"], opportunity["ideal_move_rate"]) == (5, "10.00")
    assert (opportunity["ideal_count_per_rep"], opportunity["is_opportunity"]) == (2, True)


def test_lost_reasons_and_win_factors_are_listed(client, rep):
    reasons = client.get("/api/pipeline/lost-reasons", **_auth(rep)).json()
    factors = client.get("/api/pipeline/win-factors", **_auth(rep)).json()
    assert [r["name"] for r in reasons][:2] == ["明确拒绝", "无法联系"]
    assert "价格优势" in [f["name"] for f in factors]


@pytest.mark.parametrize("who", ["rep", "manager", "director", "marketing"])
def test_only_admins_configure_pipelines(client, cast, pipeline, stages, who):
    # when a non-admin tries each configuration write
    user = cast[who]
    created = _post(client, "/api/pipeline/pipelines", {"name": "新漏斗"}, user)
    patched = _patch(client, f"/api/pipeline/pipelines/{pipeline.pk}", {"name": "改名"}, user)
    staged = _post(
        client, f"/api/pipeline/pipelines/{pipeline.pk}/stages", {"code": "x", "name": "X"}, user
    )
    stage = _patch(client, f"/api/pipeline/stages/{stages['graded'].pk}", {"ideal_days": 9}, user)
    # then every one is forbidden and nothing changed
    assert [r.status_code for r in [created, patched, staged, stage]] == [403, 403, 403, 403]
    assert Pipeline.objects.count() == 1
    assert Stage.objects.get(pk=stages["graded"].pk).ideal_days == 1


def test_admin_creates_a_pipeline_with_stages_and_edits_the_ideal_state(client, admin_user):
    # when the admin creates a pipeline and two stages, then edits one
    created = _post(client, "/api/pipeline/pipelines", {"name": "渠道漏斗"}, admin_user)
    pk = created.json()["id"]
    first = _post(
        client,
        f"/api/pipeline/pipelines/{pk}/stages",
        {"code": "lead", "name": "线索", "ideal_days": 3, "ideal_move_rate": "40"},
        admin_user,
    )
    second = _post(
        client,
        f"/api/pipeline/pipelines/{pk}/stages",
        {"code": "won", "name": "成交", "kind": "won", "probability": 100},
        admin_user,
    )
    edited = _patch(
        client, f"/api/pipeline/stages/{first.json()['id']}", {"ideal_days": 4}, admin_user
    )
    # then
    assert (created.status_code, first.status_code, second.status_code) == (201, 201, 201)
    assert (first.json()["order"], second.json()["order"]) == (1, 2)
    assert (edited.status_code, edited.json()["ideal_days"]) == (200, 4)
    assert Event.objects.filter(verb="stage.updated").count() == 1


def test_admin_reorders_stages(client, admin_user, pipeline, stages):
    ids = [s.pk for s in sorted(stages.values(), key=lambda s: s.order)]
    ids[1], ids[2] = ids[2], ids[1]
    response = client.put(
        f"/api/pipeline/pipelines/{pipeline.pk}/stage-order",
        {"stage_ids": ids},
        content_type="application/json",
        **_auth(admin_user),
    )
    assert response.status_code == 200
    assert [s["code"] for s in response.json()][:3] == ["resource", "contacted", "graded"]
    assert list(pipeline.stages.order_by("order").values_list("code", flat=True))[:3] == [
        "resource",
        "contacted",
        "graded",
    ]


def test_reordering_with_a_missing_stage_is_422(client, admin_user, pipeline, stages):
    response = client.put(
        f"/api/pipeline/pipelines/{pipeline.pk}/stage-order",
        {"stage_ids": [stages["resource"].pk]},
        content_type="application/json",
        **_auth(admin_user),
    )
    assert response.status_code == 422
    assert Stage.objects.get(pk=stages["resource"].pk).order == 1
