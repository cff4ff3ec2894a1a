"""Script templates: the most specific active match wins, on the page and in the API."""

import pytest
from django.urls import reverse

from loudou.activities.models import ScriptTemplate
from loudou.activities.selectors import script_for
from loudou.leads.tests.factories import make_lead
from loudou.org.models import Industry
from loudou.org.services import issue_api_token
from loudou.pipeline.models import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def manufacturing():
    return Industry.objects.get(name="制造业")


@pytest.fixture
def lead(rep, manufacturing):
    lead = make_lead(actor=rep, industry=manufacturing)
    assert lead.stage.code == "resource"
    return lead


@pytest.fixture
def templates(manufacturing):
    resource = Stage.objects.get(pipeline__is_default=True, code="resource")
    retail = Industry.objects.get(name="零售业")
    make = ScriptTemplate.objects.create
    return {
        "generic": make(title="通用话术"),
        "stage": make(title="资源阶段话术", stage=resource),
        "industry": make(title="制造业话术", industry=manufacturing),
        "both": make(title="制造业资源阶段话术", industry=manufacturing, stage=resource),
        "other": make(title="零售业资源阶段话术", industry=retail, stage=resource),
    }


@pytest.mark.parametrize(
    ("removed", "expected"),
    [
        ([], "both"),
        (["both"], "industry"),
        (["both", "industry"], "stage"),
        (["both", "industry", "stage"], "generic"),
        (["both", "industry", "stage", "generic"], None),
    ],
)
def test_industry_and_stage_beat_industry_beats_stage_beats_generic(
    lead, templates, removed, expected
):
    # given the more specific templates switched off
    ScriptTemplate.objects.filter(pk__in=[templates[k].pk for k in removed]).update(is_active=False)
    # when
    found = script_for(lead)
    # then
    assert found == (templates[expected] if expected else None)


def test_lead_page_and_api_show_the_matching_script(client, rep, lead, templates):
    # given
    templates["both"].opening = "您好，我们专注制造业排产"
    templates["both"].save()
    client.force_login(rep)
    # when
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    api = client.get(
        f"/api/activities/script-templates?lead_id={lead.pk}",
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=rep)}",
    )
    # then
    assert "制造业资源阶段话术" in html
    assert "您好，我们专注制造业排产" in html
    assert [t["title"] for t in api.json()] == ["制造业资源阶段话术"]


def test_script_for_an_invisible_lead_is_404(client, other_team_rep, lead, templates):
    api = client.get(
        f"/api/activities/script-templates?lead_id={lead.pk}",
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=other_team_rep)}",
    )
    assert api.status_code == 404
