"""Writes about people: login failures and lockout, API tokens, user profile changes."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from loudou.core import audit
from loudou.core.text import field_labels, refuse_control_characters
from loudou.org.models import ApiToken, LoginThrottle, User


def _throttle_keys(ip: str, username: str) -> dict[str, int]:
    """The throttle keys of a login attempt and their limits: this address with this
    username, and this address with any username."""
    name = username.strip().lower()[:150]
    pair = salted_hmac("loudou.login.pair", f"{ip[:64]}\n{name}", algorithm="sha256")
    address = salted_hmac("loudou.login.ip", ip[:64], algorithm="sha256")
    return {
        pair.hexdigest(): settings.LOGIN_LOCKOUT_ATTEMPTS,
        address.hexdigest(): settings.LOGIN_IP_ATTEMPTS,
    }


def login_throttled(*, ip: str, username: str) -> bool:
    """Whether logins from `ip` as `username` are refused for now (whether or not the
    username exists: the answer must not tell)."""
    keys = list(_throttle_keys(ip, username))
    return LoginThrottle.objects.filter(key__in=keys, blocked_until__gt=timezone.now()).exists()


def register_failed_login(*, ip: str, username: str) -> None:
    """Count a failed login for its keys. A key reaching its limit within the window
    (LOGIN_LOCKOUT_MINUTES) is refused for that long; an older count starts again."""
    now = timezone.now()
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    for key, limit in _throttle_keys(ip, username).items():
        LoginThrottle.objects.get_or_create(key=key, defaults={"window_started_at": now})
        rows = LoginThrottle.objects.filter(key=key)
        counted = rows.filter(window_started_at__gt=now - window).update(failures=F("failures") + 1)
        if not counted:
            rows.update(failures=1, window_started_at=now)
        rows.filter(failures__gte=limit).update(blocked_until=now + window, failures=0)


def register_successful_login(*, ip: str, username: str) -> None:
    """A successful login clears the count of this address with this username."""
    pair = next(iter(_throttle_keys(ip, username)))
    LoginThrottle.objects.filter(key=pair).delete()


def purge_login_throttles(*, now) -> int:
    """Delete counts whose window and block are over (the worker runs it daily)."""
    cutoff = now - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    stale = LoginThrottle.objects.filter(window_started_at__lt=cutoff).exclude(
        blocked_until__gt=now
    )
    return stale.delete()[0]


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
    refuse_control_characters(values, field_labels(User))
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
