"""Authentication with a login throttle (see org.services.register_failed_login).

Failures are counted per address and username, and per address: after 5 failures in 15
minutes from one address for one username (or 50 from one address for any), that
address is refused for 15 minutes. The account itself is never locked, so a stranger
cannot lock its owner out, and its API tokens always work."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from loudou.org import services


class LoginThrottled(PermissionDenied):
    """Too many failed logins from this address."""


def client_ip(request) -> str:
    """The address a login comes from (behind a proxy, set it to pass REMOTE_ADDR)."""
    return (request.META.get("REMOTE_ADDR") if request is not None else None) or "unknown"


class ThrottledLoginBackend(ModelBackend):
    """ModelBackend that refuses throttled attempts unchecked and counts failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        ip = client_ip(request)
        if services.login_throttled(ip=ip, username=username):
            raise LoginThrottled
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            services.register_failed_login(ip=ip, username=username)
            return None
        services.register_successful_login(ip=ip, username=username)
        return user
