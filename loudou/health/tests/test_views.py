"""Health pages: the same permissions as the API, through the Django client."""

import pytest

from loudou.health.choices import CaseStatus
from loudou.health.models import ExceptionCase, HealthReport, Thresholds
from loudou.health.tests.factories import make_case, make_report, new_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_case(cast, clock):
    lead = new_lead(cast["rep"], company_name="宁波海曙贸易有限公司")
    return make_case(rep=cast["rep"], owner=cast["manager"], lead_ids=[lead.pk])


def test_manager_sees_the_case_list_and_the_leads_behind_a_case(
    client, rep_case, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        listing = client.get("/health/exceptions/")
    page = client.get(f"/health/exceptions/{rep_case.pk}/")
    assert listing.status_code == 200
    assert "有1条线索分配超过24小时仍未跟进" in listing.content.decode()
    assert "宁波海曙贸易有限公司" in page.content.decode()
    assert 'id="acknowledge-form"' in page.content.decode()


@pytest.mark.parametrize("who", ["teammate", "other_manager", "other_team_rep", "marketing"])
def test_hidden_case_page_is_404(request, client, rep_case, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/health/exceptions/{rep_case.pk}/").status_code == 404
    assert client.post(f"/health/exceptions/{rep_case.pk}/resolve/").status_code == 404
    assert ExceptionCase.objects.get(pk=rep_case.pk).status == CaseStatus.OPEN


def test_rep_sees_their_case_but_may_not_resolve_it(client, rep_case, rep):
    client.force_login(rep)
    page = client.get(f"/health/exceptions/{rep_case.pk}/")
    assert page.status_code == 200
    assert 'id="acknowledge-form"' not in page.content.decode()
    response = client.post(f"/health/exceptions/{rep_case.pk}/resolve/", {"note": "x"})
    assert response.status_code == 403
    assert ExceptionCase.objects.get(pk=rep_case.pk).status == CaseStatus.OPEN


def test_manager_acknowledges_with_a_note(client, rep_case, manager):
    client.force_login(manager)
    url = f"/health/exceptions/{rep_case.pk}/acknowledge/"
    response = client.post(url, {"note": "周五前全部联系"})
    rep_case.refresh_from_db()
    assert response.status_code == 302
    assert (rep_case.status, rep_case.acknowledged_by, rep_case.acknowledge_note) == (
        CaseStatus.ACKNOWLEDGED,
        manager,
        "周五前全部联系",
    )


def test_an_english_manager_reads_acknowledge_on_the_button_and_acknowledged_after(
    client, rep_case, manager
):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    url = f"/health/exceptions/{rep_case.pk}/"
    assert ">Acknowledge</button>" in client.get(url).content.decode()
    client.post(f"{url}acknowledge/", {"note": "call them by Friday"})
    page = client.get(url).content.decode()
    assert "<dt>Acknowledged</dt>" in page
    assert ">Acknowledge</button>" not in page


@pytest.mark.parametrize(("who", "team"), [("rep", ""), ("manager", ""), ("other_manager", "a")])
def test_sweep_button_refused(request, client, cast, other_manager, team_a, who, team):
    client.force_login(request.getfixturevalue(who))
    response = client.post("/health/exceptions/sweep/", {"team": team_a.pk if team else ""})
    assert response.status_code in (403, 404)
    assert response.status_code == (404 if team else 403)


def test_director_runs_the_sweep(client, director, rep_case):
    client.force_login(director)
    response = client.post("/health/exceptions/sweep/", follow=True)
    assert "检查完成" in response.content.decode()


def test_thresholds_page_refuses_reps(client, rep):
    client.force_login(rep)
    assert client.get("/health/thresholds/").status_code == 403


def test_manager_cannot_post_company_thresholds(client, manager):
    client.force_login(manager)
    page = client.get("/health/thresholds/")
    response = client.post(
        "/health/thresholds/", {**Thresholds.objects.get().values(), "min_sample": 3}
    )
    assert page.status_code == 200
    assert response.status_code == 403
    assert Thresholds.objects.get().min_sample == 10


def test_manager_saves_team_thresholds(client, manager, team_a):
    client.force_login(manager)
    values = {**Thresholds.objects.get(team=None).values(), "min_sample": 3}
    response = client.post(f"/health/thresholds/?team={team_a.pk}", values)
    assert response.status_code == 302
    assert Thresholds.objects.get(team=team_a).min_sample == 3
    assert Thresholds.objects.get(team=None).min_sample == 10


def test_report_pages(client, manager, team_a, team_b):
    mine, other = make_report(team=team_a), make_report(team=team_b)
    client.force_login(manager)
    listing = client.get("/health/reports/").content.decode()
    assert f"/health/reports/{mine.pk}/" in listing
    assert f"/health/reports/{other.pk}/" not in listing
    assert "缩短跟进间隔" in client.get(f"/health/reports/{mine.pk}/").content.decode()
    pdf = client.get(f"/health/reports/{mine.pk}/pdf/")
    assert (
        pdf["Content-Disposition"] == f'attachment; filename="health-team-{team_a.pk}-2026-W36.pdf"'
    )
    for suffix in ("", "pdf/", "xlsx/"):
        assert client.get(f"/health/reports/{other.pk}/{suffix}").status_code == 404


def test_rep_sees_no_reports(client, rep, team_a):
    report = make_report(team=team_a)
    client.force_login(rep)
    assert client.get(f"/health/reports/{report.pk}/").status_code == 404
    assert 'id="generate-report"' not in client.get("/health/reports/").content.decode()


def test_manager_may_not_generate_the_company_report(client, manager):
    client.force_login(manager)
    response = client.post("/health/reports/", {"team": "", "week": "2026-08-26"})
    assert response.status_code == 403
    assert not HealthReport.objects.exists()


def test_manager_generates_the_team_report(client, clock, manager, team_a):
    client.force_login(manager)
    response = client.post("/health/reports/", {"team": team_a.pk, "week": "2026-08-26"})
    report = HealthReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/health/reports/{report.pk}/"
    assert (report.team, report.iso_week) == (team_a, 35)
