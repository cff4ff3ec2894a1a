from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from loudou.assignment.choices import AssignVia
from loudou.assignment.models import Assignment, Handover
from loudou.assignment.services import assign_lead
from loudou.assignment.tests.factories import make_pool
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _panel(lead, viewer) -> str:
    request = RequestFactory().get("/")
    request.user = viewer
    template = Template("{% load assignment_tags %}{% lead_assignment_panel lead %}")
    return template.render(Context({"request": request, "lead": lead}))


def test_lead_panel_shows_why_this_rep(rep, marketing, director):
    # given
    lead = make_lead(actor=marketing)
    assignment = assign_lead(lead=lead, actor=marketing, now=NOW)
    lead.refresh_from_db()

    # when
    html = _panel(lead, director)

    # then
    assert assignment.user == rep
    assert f"为什么是此负责人：</strong>{assignment.explanation}" in html
    assert "分配规则" in html


def test_lead_panel_offers_release_only_to_those_who_may(rep, manager):
    # given
    make_pool()
    lead = make_lead(actor=rep)

    # when
    owner_html = _panel(lead, rep)
    manager_html = _panel(lead, manager)

    # then
    assert "放回公海" in owner_html
    assert "放回公海" in manager_html
    assert "按规则分配" not in owner_html


def test_api_assign_runs_the_rules(client, rep, marketing):
    # given
    lead = make_lead(actor=marketing)

    # when
    response = client.post(f"/api/assignment/leads/{lead.pk}/assign", **_auth(marketing))

    # then
    assert response.status_code == 200
    assert (response.json()["user_id"], response.json()["via"]) == (rep.pk, AssignVia.RULE)
    listed = client.get(f"/api/assignment/leads/{lead.pk}/assignments", **_auth(rep)).json()
    assert [row["explanation"] for row in listed] == [response.json()["explanation"]]


def test_api_assign_of_an_invisible_lead_is_404(client, rep, marketing, other_team_rep):
    # given
    lead = make_lead(actor=marketing)

    # when
    response = client.post(f"/api/assignment/leads/{lead.pk}/assign", **_auth(other_team_rep))

    # then
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.owner is None
    assert not Assignment.objects.exists()


def test_handover_page_previews_then_runs(client, manager, rep, teammate):
    # given
    lead = make_lead(actor=rep)
    client.force_login(manager)
    form = {"from_user": rep.pk, "successors": [teammate.pk], "rule": "one"}

    # when
    preview = client.post("/assignment/handover/", {**form, "action": "preview"})
    after_preview = Lead.objects.get(pk=lead.pk).owner
    run = client.post("/assignment/handover/", {**form, "action": "run"})

    # then
    assert preview.status_code == 200
    assert lead.company_name in preview.content.decode()
    assert after_preview == rep
    assert run.status_code == 302
    lead.refresh_from_db()
    assert lead.owner == teammate
    assert Handover.objects.get().from_user == rep


def test_rep_cannot_open_the_handover_page(client, rep, teammate):
    # given
    make_lead(actor=teammate)
    client.force_login(rep)

    # when
    response = client.post(
        "/assignment/handover/",
        {"from_user": teammate.pk, "successors": [rep.pk], "rule": "one", "action": "run"},
    )

    # then
    assert response.status_code == 403
    assert Lead.objects.filter(owner=teammate).count() == 1
    assert not Handover.objects.exists()


def test_api_handover_preview_and_run(client, director, rep, teammate):
    # given
    lead = make_lead(actor=rep)
    body = {"from_user_id": rep.pk, "successor_ids": [teammate.pk], "rule": "one"}

    # when
    preview = client.post(
        "/api/assignment/handovers/preview",
        body,
        content_type="application/json",
        **_auth(director),
    )
    run = client.post(
        "/api/assignment/handovers", body, content_type="application/json", **_auth(director)
    )

    # then
    assert preview.status_code == 200
    assert {"kind": "lead", "id": lead.pk, "label": str(lead), "to": teammate.pk} in preview.json()[
        "items"
    ]
    assert run.status_code == 201
    lead.refresh_from_db()
    assert lead.owner == teammate


@pytest.mark.parametrize(
    ("who", "status"), [("rep", 404), ("other_manager", 404), ("teammate", 403)]
)
def test_api_handover_of_someone_else_is_refused(client, request, rep, teammate, who, status):
    # given
    lead = make_lead(actor=teammate)
    actor = request.getfixturevalue(who)
    body = {"from_user_id": teammate.pk, "successor_ids": [actor.pk], "rule": "one"}
    if who == "teammate":
        body = {"from_user_id": teammate.pk, "successor_ids": [teammate.pk], "rule": "one"}

    # when
    response = client.post(
        "/api/assignment/handovers", body, content_type="application/json", **_auth(actor)
    )

    # then
    assert response.status_code == status
    lead.refresh_from_db()
    assert lead.owner == teammate
    assert not Handover.objects.exists()
