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
        .exclude(user__locked_until__gt=timezone.now())  # a locked account's tokens wait too
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


def _require_admin(actor: User) -> None:
    from django.core.exceptions import PermissionDenied

    if not actor.is_org_admin:
        raise PermissionDenied("only an administrator may manage the organisation")


@transaction.atomic
def save_user(*, actor: User, user: User | None, values: dict, password: str | None = None) -> User:
    """Create or change a user (admin only); a new password must pass Django's validators."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    _require_admin(actor)
    user = user or User()
    specialties = {
        k: values.pop(k) for k in ["specialty_industries", "specialty_regions"] if k in values
    }
    for name, value in values.items():
        setattr(user, name, value)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    before_pk = user.pk
    user.save()
    for name, items in specialties.items():
        getattr(user, name).set(items)
    changes = [{"field": k, "before": None, "after": str(v)} for k, v in values.items()]
    audit.record(
        obj=user,
        actor=actor,
        verb="user.created" if before_pk is None else "user.updated",
        changes=changes,
    )
    return user


@transaction.atomic
def save_team(*, actor, team, values: dict):
    from loudou.core.audit import save_with_audit
    from loudou.org.models import Team

    _require_admin(actor)
    team = team or Team()
    verb = "team.created" if team.pk is None else "team.updated"
    save_with_audit(obj=team, actor=actor, verb=verb, values=values)
    return team
