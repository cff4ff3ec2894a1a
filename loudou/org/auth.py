"""Authentication with lockout: 5 failed logins lock an account for 15 minutes."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from loudou.org import services
from loudou.org.models import User


class AccountLocked(PermissionDenied):
    """The account is locked after too many failed logins."""


class LockoutBackend(ModelBackend):
    """ModelBackend that refuses locked accounts and counts failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        locked = User.objects.filter(username=username).values_list("locked_until", flat=True)
        user = User(locked_until=next(iter(locked), None))
        if user.is_locked():
            raise AccountLocked(username)
        authenticated = super().authenticate(request, username, password, **kwargs)
        if authenticated is None:
            services.register_failed_login(username=username)
            return None
        services.register_successful_login(user=authenticated)
        return authenticated
