"""The 撞单 check on the registration form and POST /api/leads."""

import json

import pytest
from django.urls import reverse

from loudou.leads.models import DedupePolicy, Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token

pytestmark = pytest.mark.django_db

FORM = {
    "company_name": "杭州数智科技股份有限公司",
    "contact_name": "李娜",
    "phone": "13700001111",
    "decision_cycle": "unknown",
    "need_level": "unknown",
    "budget_fit": "unknown",
    "customer_type": "ordinary",
    "purchasing_power": "medium",
}


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def test_form_shows_a_protected_duplicate_masked_without_merge_buttons(client, rep, other_team_rep):
    # given
    theirs = make_lead(actor=other_team_rep, company_name="杭州数智科技有限公司")
    client.force_login(rep)
    before = Lead.objects.count()

    # when
    response = client.post(reverse("leads:create"), FORM)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert Lead.objects.count() == before
    assert theirs.number in page
    assert "受保护（他人跟进中）" in page
    assert "138****5678" in page
    assert "13812345678" not in page
    assert f"merge:{theirs.pk}" not in page
    assert 'value="keep"' in page


def test_form_keep_registers_the_lead_anyway(client, rep, other_team_rep):
    # given
    make_lead(actor=other_team_rep, company_name="杭州数智科技有限公司")
    client.force_login(rep)

    # when
    response = client.post(reverse("leads:create"), {**FORM, "on_duplicate": "keep"})

    # then
    assert response.status_code == 302
    assert Lead.objects.filter(company_name="杭州数智科技股份有限公司").count() == 1


def test_form_merge_fills_my_existing_lead(client, rep):
    # given
    mine = make_lead(actor=rep, company_name="杭州数智科技有限公司", contact_name="")
    client.force_login(rep)
    before = Lead.objects.count()

    # when
    response = client.post(reverse("leads:create"), {**FORM, "on_duplicate": f"merge:{mine.pk}"})

    # then
    assert response.status_code == 302
    assert response.url == mine.get_absolute_url()
    assert Lead.objects.count() == before
    mine.refresh_from_db()
    assert mine.contact_name == "李娜"


def test_form_link_to_an_invisible_lead_is_404(client, rep, other_team_rep):
    # given
    theirs = make_lead(actor=other_team_rep, company_name="杭州数智科技有限公司")
    client.force_login(rep)
    before = Lead.objects.count()

    # when
    response = client.post(reverse("leads:create"), {**FORM, "on_duplicate": f"link:{theirs.pk}"})

    # then
    assert response.status_code == 404
    assert Lead.objects.count() == before


def test_api_answers_409_with_masked_matches_when_asked_to_check(client, rep, marketing):
    # given
    pooled = make_lead(actor=marketing, company_name="杭州数智科技有限公司", phone="13900002222")
    before = Lead.objects.count()
    body = {"company_name": "杭州数智科技", "phone": "13900002222", "on_duplicate": "check"}

    # when
    response = client.post("/api/leads", body, content_type="application/json", **_auth(rep))

    # then
    assert response.status_code == 409
    assert Lead.objects.count() == before
    [match] = json.loads(response.content)["matches"]
    assert match == {
        "id": pooled.pk,
        "number": pooled.number,
        "company_name": "杭州数智科技有限公司",
        "owner": None,
        "state": "pool",
        "reasons": ["phone", "company"],
        "score": 100.0,
        "is_branch": False,
        "phone": "139****2222",
        "email": "",
    }


def test_api_follows_the_policy_by_default(client, rep):
    # given
    make_lead(actor=rep, company_name="杭州数智科技有限公司")
    body = {"company_name": "杭州数智科技"}

    # when: warn (the default) creates, block refuses
    warned = client.post("/api/leads", body, content_type="application/json", **_auth(rep))
    DedupePolicy.objects.update_or_create(pk=1, defaults={"api_action": "block"})
    blocked = client.post("/api/leads", body, content_type="application/json", **_auth(rep))

    # then
    assert (warned.status_code, blocked.status_code) == (201, 409)


def test_api_merge_into_an_invisible_lead_is_404(client, rep, other_team_rep):
    # given
    theirs = make_lead(actor=other_team_rep, company_name="杭州数智科技有限公司")
    body = {"company_name": "杭州数智科技", "on_duplicate": "merge", "duplicate_of": theirs.pk}

    # when
    response = client.post("/api/leads", body, content_type="application/json", **_auth(rep))

    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.contact_name == "王伟"


def test_an_administrator_sets_the_duplicate_rule(client, admin_user):
    # given
    body = {"api_action": "block", "import_action": "warn"}

    # when
    response = client.put(
        "/api/grading/dedupe-policy", body, content_type="application/json", **_auth(admin_user)
    )

    # then
    assert response.status_code == 200
    policy = DedupePolicy.current()
    assert (policy.api_action, policy.import_action) == ("block", "warn")


def test_a_rep_may_not_change_the_duplicate_rule(client, rep):
    # when
    response = client.put(
        "/api/grading/dedupe-policy",
        {"api_action": "block", "import_action": "block"},
        content_type="application/json",
        **_auth(rep),
    )

    # then
    assert response.status_code == 403
    assert DedupePolicy.current().api_action == "warn"


def test_api_merges_two_visible_leads(client, rep):
    # given
    survivor = make_lead(actor=rep, company_name="杭州数智科技有限公司")
    duplicate = make_lead(actor=rep, company_name="杭州数智科技")

    # when
    response = client.post(
        f"/api/leads/{survivor.pk}/merge",
        {"duplicate_id": duplicate.pk},
        content_type="application/json",
        **_auth(rep),
    )

    # then
    assert response.status_code == 200
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk


def test_api_merge_with_an_invisible_lead_is_404(client, rep, other_team_rep):
    # given
    mine = make_lead(actor=rep)
    theirs = make_lead(actor=other_team_rep)

    # when
    response = client.post(
        f"/api/leads/{mine.pk}/merge",
        {"duplicate_id": theirs.pk},
        content_type="application/json",
        **_auth(rep),
    )

    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None


def test_the_lead_page_merges_a_duplicate_by_number(client, rep):
    # given
    survivor = make_lead(actor=rep, company_name="杭州数智科技有限公司")
    duplicate = make_lead(actor=rep, company_name="杭州数智科技")
    client.force_login(rep)

    # when
    response = client.post(
        reverse("leads:merge", args=[survivor.pk]), {"duplicate_number": duplicate.number}
    )

    # then
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk
    page = client.get(survivor.get_absolute_url()).content.decode()
    assert "合并线索" in page


def test_the_lead_page_cannot_merge_an_invisible_lead(client, rep, other_team_rep):
    # given
    mine = make_lead(actor=rep)
    theirs = make_lead(actor=other_team_rep)
    client.force_login(rep)

    # when
    response = client.post(
        reverse("leads:merge", args=[mine.pk]), {"duplicate_number": theirs.number}
    )

    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None
