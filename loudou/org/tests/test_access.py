"""Organisation management is for administrators only, in the admin and the API."""

import pytest

from loudou.org.models import Team, User
from loudou.org.services import issue_api_token

NON_ADMINS = ["rep", "manager", "director", "marketing"]


def _headers(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


@pytest.mark.parametrize("who", NON_ADMINS)
def test_only_admin_creates_users_and_teams_through_the_api(client, cast, who):
    # given
    users, teams = User.objects.count(), Team.objects.count()
    headers = _headers(cast[who])
    # when
    user_response = client.post(
        "/api/org/users",
        {"username": "newbie", "role": "junior_rep", "password": "Very-long-passphrase-2026"},
        content_type="application/json",
        **headers,
    )
    team_response = client.post(
        "/api/org/teams", {"name": "新团队"}, content_type="application/json", **headers
    )
    # then
    assert (user_response.status_code, team_response.status_code) == (403, 403)
    assert (User.objects.count(), Team.objects.count()) == (users, teams)


def test_admin_creates_a_user_whose_password_must_pass_the_validators(client, admin_user):
    # given
    headers = _headers(admin_user)
    body = {"username": "newbie", "role": "junior_rep", "display_name": "新人"}
    # when
    weak = client.post(
        "/api/org/users", {**body, "password": "123"}, content_type="application/json", **headers
    )
    strong = client.post(
        "/api/org/users",
        {**body, "password": "Very-long-passphrase-2026"},
        content_type="application/json",
        **headers,
    )
    # then
    assert weak.status_code == 422
    assert "password" in weak.json()["errors"]
    assert strong.status_code == 201
    assert User.objects.get(username="newbie").check_password("Very-long-passphrase-2026")


@pytest.mark.parametrize("who", NON_ADMINS)
def test_only_admin_enters_the_organisation_admin(client, cast, who):
    # given
    client.force_login(cast[who])
    # when
    response = client.get("/admin/org/user/")
    # then
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_manages_users_in_the_organisation_admin(client, admin_user, rep):
    # given
    client.force_login(admin_user)
    # when
    response = client.get(f"/admin/org/user/{rep.pk}/change/")
    # then
    assert response.status_code == 200
    assert "specialty_industries" in response.content.decode()


@pytest.mark.parametrize("who", NON_ADMINS)
def test_only_admin_edits_grading_rules(client, cast, who):
    # given
    headers = _headers(cast[who])
    # when
    response = client.post(
        "/api/grading/rules",
        {"kind": "intent", "grade": "A", "name": "x", "conditions": {}},
        content_type="application/json",
        **headers,
    )
    policy = client.put(
        "/api/grading/need-policy",
        {"high_min": 30, "medium_min": 5},
        content_type="application/json",
        **headers,
    )
    # then
    assert (response.status_code, policy.status_code) == (403, 403)


def test_manager_sees_own_team_in_the_directory_and_a_rep_only_themselves(
    client, manager, rep, teammate, other_team_rep
):
    # when
    seen_by_manager = {
        u["username"] for u in client.get("/api/org/users", **_headers(manager)).json()
    }
    seen_by_rep = {u["username"] for u in client.get("/api/org/users", **_headers(rep)).json()}
    # then
    assert seen_by_manager == {"manager", "rep", "teammate"}
    assert seen_by_rep == {"rep"}
