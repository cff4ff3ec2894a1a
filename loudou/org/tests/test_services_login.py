import hashlib
from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.auth import authenticate
from django.utils import timezone

from loudou.org.models import ApiToken, User
from loudou.org.services import issue_api_token, user_for_token

NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fail_logins(username: str, times: int) -> None:
    for _ in range(times):
        assert authenticate(username=username, password="wrong-password") is None


def test_right_password_logs_in(rep, password):
    # when
    user = authenticate(username="rep", password=password)

    # then
    assert user == rep


def test_four_wrong_passwords_then_the_right_one_logs_in_and_resets_the_count(rep, password):
    # given
    fail_logins("rep", 4)
    rep.refresh_from_db()
    assert (rep.failed_logins, rep.locked_until) == (4, None)

    # when
    user = authenticate(username="rep", password=password)

    # then
    assert user == rep
    rep.refresh_from_db()
    assert (rep.failed_logins, rep.locked_until) == (0, None)


def test_count_starts_again_after_a_successful_login(rep, password):
    # given
    fail_logins("rep", 4)
    authenticate(username="rep", password=password)

    # when
    fail_logins("rep", 4)

    # then
    assert authenticate(username="rep", password=password) == rep


def test_five_wrong_passwords_lock_the_account_for_15_minutes(rep, password):
    with time_machine.travel(NINE, tick=False) as clock:
        # given
        fail_logins("rep", 5)

        # when
        refused = authenticate(username="rep", password=password)

        # then
        assert refused is None
        rep.refresh_from_db()
        assert rep.locked_until == NINE + timedelta(minutes=15)
        assert rep.failed_logins == 0
        clock.move_to(NINE + timedelta(minutes=14, seconds=59))
        assert authenticate(username="rep", password=password) is None


def test_locked_account_opens_after_15_minutes(rep, password):
    with time_machine.travel(NINE, tick=False) as clock:
        # given
        fail_logins("rep", 5)
        clock.move_to(NINE + timedelta(minutes=15))

        # when
        user = authenticate(username="rep", password=password)

        # then
        assert user == rep
        rep.refresh_from_db()
        assert (rep.failed_logins, rep.locked_until) == (0, None)


def test_attempts_while_locked_do_not_extend_the_lock(rep, password):
    with time_machine.travel(NINE, tick=False) as clock:
        # given
        fail_logins("rep", 5)
        clock.move_to(NINE + timedelta(minutes=10))

        # when
        fail_logins("rep", 5)

        # then
        rep.refresh_from_db()
        assert (rep.failed_logins, rep.locked_until) == (0, NINE + timedelta(minutes=15))
        clock.move_to(NINE + timedelta(minutes=15))
        assert authenticate(username="rep", password=password) == rep


def test_lockout_of_one_user_leaves_others_alone(rep, teammate, password):
    # given
    fail_logins("rep", 5)

    # when
    user = authenticate(username="teammate", password=password)

    # then
    assert user == teammate
    teammate.refresh_from_db()
    assert (teammate.failed_logins, teammate.locked_until) == (0, None)


def test_unknown_username_is_refused_without_error(rep):
    # when / then
    assert authenticate(username="nobody", password="wrong-password") is None
    assert User.objects.filter(username="nobody").exists() is False


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


def test_a_locked_accounts_api_tokens_are_refused_until_the_lock_ends(rep):
    # given
    token = issue_api_token(user=rep)
    for _ in range(5):
        authenticate(username="rep", password="wrong-password")
    # when / then
    assert user_for_token(token) is None
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert user_for_token(token) == rep
