"""403 and 404 answer in the site layout (header, navigation, a way home); the favicon is
served; select boxes built from model fields read properly in Chinese and English."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from loudou.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

BLANK_EN = "Select…"


def _without_tokens(response) -> str:
    """The page with its per-response CSRF tokens blanked out."""
    return re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', r"\1", response.text)


def _speaking(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_missing_lead_answers_404_in_the_site_layout(client, rep):
    # given
    client.force_login(rep)
    # when
    response = client.get(reverse("leads:detail", args=[999_999]))
    # then
    html = response.content.decode()
    assert response.status_code == 404
    assert '<header class="top">' in html
    assert 'id="main-nav"' in html
    assert '<a class="brand" href="/">' in html
    assert 'id="error-404"' in html
    assert "找不到这个页面" in html
    assert "页面或记录不存在，或者您没有查看它的权限。" in html
    assert '<a class="button" href="/">返回工作台</a>' in html


def test_another_teams_lead_answers_the_same_404_page_as_a_missing_one(client, rep, other_team_rep):
    # given
    hidden = make_lead(actor=other_team_rep)
    client.force_login(rep)
    # when
    hidden_page = client.get(reverse("leads:detail", args=[hidden.pk]))
    missing_page = client.get(reverse("leads:detail", args=[hidden.pk + 1000]))
    # then
    assert (hidden_page.status_code, missing_page.status_code) == (404, 404)
    assert _without_tokens(hidden_page) == _without_tokens(missing_page)
    assert hidden.company_name not in hidden_page.content.decode()


def test_404_page_speaks_english_to_an_english_user(client, rep):
    # given
    client.force_login(_speaking(rep, "en"))
    # when
    html = client.get("/no-such-page/").content.decode()
    # then
    assert '<html lang="en">' in html
    assert "We cannot find this page" in html
    assert "Back to the dashboard" in html
    assert "找不到这个页面" not in html


def test_404_page_for_a_visitor_who_is_not_signed_in_has_a_way_home(client):
    # when
    response = client.get("/no-such-page/")
    # then
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到这个页面" in html
    assert '<a class="button" href="/">' in html


def test_rep_opening_the_handover_page_gets_403_in_the_site_layout(client, rep):
    # given
    client.force_login(rep)
    # when
    response = client.get(reverse("assignment:handover"))
    # then
    html = response.content.decode()
    assert response.status_code == 403
    assert '<header class="top">' in html
    assert 'id="error-403"' in html
    assert "您没有权限打开这个页面" in html
    assert "如需此权限，请联系您的经理或系统管理员。" in html
    assert '<a class="button" href="/">返回工作台</a>' in html


def test_403_page_speaks_english_to_an_english_user(client, rep):
    # given
    client.force_login(_speaking(rep, "en"))
    # when
    response = client.get(reverse("assignment:handover"))
    # then
    html = response.content.decode()
    assert response.status_code == 403
    assert "You do not have permission to open this page" in html
    assert "Back to the dashboard" in html


def test_favicon_is_linked_and_favicon_ico_leads_to_a_static_file(client, rep):
    # given
    client.force_login(rep)
    # when
    home = client.get("/").content.decode()
    icon = client.get("/favicon.ico")
    # then
    assert '<link rel="icon" href="/static/loudou/favicon.svg" type="image/svg+xml">' in home
    assert (icon.status_code, icon["Location"]) == (302, "/static/loudou/favicon.ico")
    assert finders.find("loudou/favicon.ico") is not None
    assert finders.find("loudou/favicon.svg") is not None


@pytest.mark.parametrize(
    ("page", "blank"),
    [
        ("leads:create", "请选择"),
        ("leads:detail", "请选择"),  # the follow-up form and the grade override
        ("customers:create", "请选择"),
        ("leads:list", "全部"),  # the filters
    ],
)
def test_select_boxes_offer_a_chinese_blank_choice(client, rep, page, blank):
    # given
    lead = make_lead(actor=rep)
    client.force_login(rep)
    url = reverse(page, args=[lead.pk]) if page == "leads:detail" else reverse(page)
    # when
    html = client.get(url).content.decode()
    # then
    assert "Select an option" not in html
    assert "---------" not in html
    assert re.search(f'<option value=""( selected)?>{blank}</option>', html)


def test_lead_form_blank_choice_reads_english_for_an_english_user(client, rep):
    # given
    client.force_login(_speaking(rep, "en"))
    # when
    html = client.get(reverse("leads:create")).content.decode()
    # then
    assert "Select an option" not in html
    assert f'<option value="" selected>{BLANK_EN}</option>' in html
