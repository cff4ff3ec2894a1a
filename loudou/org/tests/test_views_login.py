"""Logging in through the page: lockout after 5 failures, a clear message, navigation."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone


@pytest.mark.parametrize("username", ["rep", "nobody"])
def test_five_failed_logins_refuse_the_address_with_the_same_message_for_any_username(
    client, rep, password, username
):
    # given
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": username, "password": "wrong-password"})
    # when
    response = client.post(url, {"username": username, "password": password})
    # then
    assert response.status_code == 200
    assert "登录尝试过多，请 15 分钟后再试。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_and_an_unknown_username_read_the_same(client, rep):
    # when
    wrong = client.post(reverse("login"), {"username": "rep", "password": "wrong-password"})
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "whatever"})
    # then
    errors = [r.context["form"].non_field_errors() for r in (wrong, unknown)]
    assert errors[0] == errors[1]


def test_a_refused_address_may_log_in_again_after_fifteen_minutes(client, rep, password):
    # given
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": "rep", "password": "wrong-password"})
    # when
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        response = client.post(url, {"username": "rep", "password": password})
    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(rep.pk)


def test_the_owner_logs_in_from_another_address_while_a_stranger_is_refused(client, rep, password):
    # given
    url = reverse("login")
    for _ in range(10):
        client.post(url, {"username": "rep", "password": "x"}, REMOTE_ADDR="198.51.100.9")
    # when
    response = client.post(url, {"username": "rep", "password": password})
    # then
    assert response.status_code == 302


def test_navigation_fits_the_role(client, rep, admin_user):
    # given
    client.force_login(rep)
    rep_html = client.get(reverse("home")).content.decode()
    client.force_login(admin_user)
    admin_html = client.get(reverse("home")).content.decode()
    # then
    assert "组织管理" not in rep_html
    assert "组织管理" in admin_html
    assert 'href="/leads/"' in rep_html


def test_logout_ends_the_session(client, rep):
    # given
    client.force_login(rep)
    # when
    response = client.post(reverse("logout"))
    # then
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_pages_carry_security_headers(client, rep):
    # given
    client.force_login(rep)
    # when
    response = client.get(reverse("home"))
    # then
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
