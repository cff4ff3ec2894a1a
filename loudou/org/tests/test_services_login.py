import hashlib
from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone

from loudou.org.models import ApiToken, LoginThrottle, User
from loudou.org.services import issue_api_token, purge_login_throttles, user_for_token

NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fail_logins(username: str, times: int, ip: str = "203.0.113.7") -> None:
    for _ in range(times):
        assert authenticate(_request(ip), username=username, password="wrong-password") is None


def _request(ip: str):
    return RequestFactory().post("/login/", REMOTE_ADDR=ip)


def login(username: str, password: str, ip: str = "203.0.113.7"):
    return authenticate(_request(ip), username=username, password=password)


def test_right_password_logs_in(rep, password):
    # when
    user = login("rep", password)

    # then
    assert user == rep


def test_four_wrong_passwords_then_the_right_one_logs_in_and_clears_the_count(rep, password):
    # given
    fail_logins("rep", 4)

    # when
    user = login("rep", password)

    # then
    assert user == rep
    fail_logins("rep", 4)
    assert login("rep", password) == rep


def test_five_failures_refuse_that_address_for_that_username_for_15_minutes(rep, password):
    with time_machine.travel(NINE, tick=False) as clock:
        # given
        fail_logins("rep", 5)

        # when
        refused = login("rep", password)

        # then
        assert refused is None
        clock.move_to(NINE + timedelta(minutes=14, seconds=59))
        assert login("rep", password) is None
        clock.move_to(NINE + timedelta(minutes=15))
        assert login("rep", password) == rep


def test_a_stranger_cannot_lock_the_owner_out_from_another_address(rep, password):
    # given
    fail_logins("rep", 30, ip="198.51.100.9")

    # when
    user = login("rep", password, ip="203.0.113.7")

    # then
    assert user == rep
    assert login("rep", password, ip="198.51.100.9") is None


def test_attempts_while_refused_are_not_checked_and_do_not_extend_the_block(rep, password):
    with time_machine.travel(NINE, tick=False) as clock:
        # given
        fail_logins("rep", 5)
        clock.move_to(NINE + timedelta(minutes=10))

        # when
        fail_logins("rep", 5)

        # then
        clock.move_to(NINE + timedelta(minutes=15))
        assert login("rep", password) == rep


def test_one_address_trying_many_usernames_is_refused_for_all(rep, teammate, settings, password):
    # given
    settings.LOGIN_IP_ATTEMPTS = 10
    for n in range(10):
        fail_logins(f"guess{n}", 1)

    # when
    user = login("teammate", password)

    # then
    assert user is None
    assert login("teammate", password, ip="192.0.2.44") == teammate


def test_unknown_and_known_usernames_are_counted_alike(rep):
    # given
    fail_logins("nobody", 5)
    fail_logins("rep", 5)

    # when / then
    assert LoginThrottle.objects.filter(blocked_until__isnull=False).count() == 2
    assert User.objects.filter(username="nobody").exists() is False


def test_counts_are_keyed_hashes_that_name_no_address_or_account(rep):
    # given
    fail_logins("rep", 1)

    # when
    keys = list(LoginThrottle.objects.values_list("key", flat=True))

    # then
    assert len(keys) == 2
    assert not any("rep" in key or "203.0.113.7" in key for key in keys)


def test_old_counts_are_purged_and_live_blocks_kept(rep):
    with time_machine.travel(NINE, tick=False) as clock:
        # given
        fail_logins("rep", 5)  # blocked until 9:15
        fail_logins("teammate", 1)
        clock.move_to(NINE + timedelta(minutes=16))

        # when
        purged = purge_login_throttles(now=timezone.now())

        # then
        assert purged == 3
        assert LoginThrottle.objects.count() == 0


def test_api_token_is_shown_once_and_stored_as_its_sha256_digest(rep):
    # when
    raw = issue_api_token(user=rep, label="CRM 同步")

    # then
    token = ApiToken.objects.get()
    assert raw.startswith("ld_")
    assert len(raw) == 46
    assert (token.user, token.label, token.last_used_at) == (rep, "CRM 同步", None)
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (token.digest, token.label)


def test_each_issued_token_is_different(rep):
    # when
    first = issue_api_token(user=rep)
    second = issue_api_token(user=rep)

    # then
    assert first != second
    assert ApiToken.objects.filter(user=rep).count() == 2


def test_token_identifies_its_user_and_records_its_use(rep):
    # given
    raw = issue_api_token(user=rep)

    # when
    with time_machine.travel(NINE, tick=False):
        user = user_for_token(raw)

    # then
    assert user == rep
    assert ApiToken.objects.get().last_used_at == NINE


def test_wrong_token_identifies_nobody(rep):
    # given
    raw = issue_api_token(user=rep)

    # when / then
    assert user_for_token(raw + "x") is None
    assert user_for_token("") is None
    assert user_for_token(ApiToken.objects.get().digest) is None
    assert ApiToken.objects.get().last_used_at is None


def test_token_of_an_inactive_user_identifies_nobody(rep):
    # given
    raw = issue_api_token(user=rep)
    User.objects.filter(pk=rep.pk).update(is_active=False)

    # when
    user = user_for_token(raw)

    # then
    assert user is None
    assert ApiToken.objects.get().last_used_at is None


def test_api_tokens_keep_working_while_logins_are_refused(rep):
    # given
    token = issue_api_token(user=rep)
    fail_logins("rep", 5)

    # when
    user = user_for_token(token)

    # then
    assert user == rep
