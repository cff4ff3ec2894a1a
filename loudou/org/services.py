"""Writes about people: login failures and lockout, API tokens, user profile changes."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from loudou.core import audit
from loudou.org.models import ApiToken, User


def register_failed_login(*, username: str) -> None:
    """Count a failed login; the Nth in a row locks the account for the configured time."""
    users = User.objects.filter(username=username)
    users.update(failed_logins=F("failed_logins") + 1)
    lock_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    users.filter(failed_logins__gte=settings.LOGIN_LOCKOUT_ATTEMPTS).update(
        locked_until=lock_until, failed_logins=0
    )


def register_successful_login(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


def issue_api_token(*, user: User, label: str = "") -> str:
    """Create a token for `user` and return it; it is shown once and stored hashed."""
    raw = "ld_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(raw), label=label)
    return raw


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def set_language(*, user: User, language: str) -> None:
    before = user.language
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    audit.record(
        obj=user,
        actor=user,
        verb="user.language",
        changes=[{"field": "language", "before": before, "after": language}],
    )
