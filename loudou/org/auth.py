"""Authentication with lockout: 5 failed logins lock an account for 15 minutes."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from loudou.org import services
from loudou.org.models import User


class AccountLocked(PermissionDenied):
    """The account is locked after too many failed logins."""


def account_is_locked(username: str) -> bool:
    return User.objects.filter(username=username, locked_until__gt=timezone.now()).exists()


class LockoutBackend(ModelBackend):
    """ModelBackend that refuses locked accounts and counts failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        if account_is_locked(username):
            raise AccountLocked(username)
        authenticated = super().authenticate(request, username, password, **kwargs)
        if authenticated is None:
            services.register_failed_login(username=username)
            return None
        services.register_successful_login(user=authenticated)
        return authenticated
