"""The test cast (after Healthchecks' alice/bob/charlie).

Team A: manager `manager`, reps `rep` and `teammate`. Team B: manager `other_manager`,
rep `other_team_rep`. Plus `director`, `admin_user`, `marketing`.
"""

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from loudou.org.choices import Role
from loudou.org.tests.factories import PASSWORD, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request for an English user leaves
    English active in the thread, which would leak into the next test."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a figure kept by one test (the director's
    home targets, a rate-limit count) must not answer the next."""
    from django.core.cache import cache

    cache.clear()


FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2 at production strength would dominate the suite's time."""
    settings.PASSWORD_HASHERS = [FAST_HASHER]


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def team_a(db):
    return TeamFactory(name="华东一组")


@pytest.fixture
def team_b(db):
    return TeamFactory(name="华南一组")


@pytest.fixture
def manager(team_a):
    user = UserFactory(username="manager", role=Role.MANAGER, team=team_a)
    team_a.manager = user
    team_a.save()
    return user


@pytest.fixture
def other_manager(team_b):
    user = UserFactory(username="other_manager", role=Role.MANAGER, team=team_b)
    team_b.manager = user
    team_b.save()
    return user


@pytest.fixture
def rep(team_a, manager):
    return UserFactory(username="rep", role=Role.SENIOR_REP, team=team_a)


@pytest.fixture
def teammate(team_a, manager):
    return UserFactory(username="teammate", role=Role.JUNIOR_REP, team=team_a)


@pytest.fixture
def other_team_rep(team_b, other_manager):
    return UserFactory(username="other_team_rep", role=Role.SENIOR_REP, team=team_b)


@pytest.fixture
def director(db):
    return UserFactory(username="director", role=Role.DIRECTOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin_user", role=Role.ADMIN, is_staff=True)


@pytest.fixture
def marketing(db):
    return UserFactory(username="marketing", role=Role.MARKETING)


@pytest.fixture
def cast(rep, teammate, manager, other_team_rep, director, marketing, admin_user):
    return {
        "rep": rep,
        "teammate": teammate,
        "manager": manager,
        "other_team_rep": other_team_rep,
        "director": director,
        "marketing": marketing,
        "admin_user": admin_user,
    }


@pytest.fixture(scope="module")
def demo_once(request, django_db_setup, django_db_blocker):
    """The demo company, loaded once for a test module: `load_demo(leads=DEMO_LEADS)` (the
    module's, default 60) at the module's NOW, in a transaction rolled back after the
    module's last test. Each test runs in its own savepoint inside it (pytest-django's
    `db`), so what one test writes is gone for the next. Loading takes 10-30 s: once per
    module instead of once per test. Every test of such a module then sees the demo,
    whether it asks for it or not."""
    import time_machine
    from django.db import transaction
    from django.test import override_settings

    from loudou.demo.services import load_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # the hasher of fast_password_hasher, which a module's fixture comes before
            md5 = override_settings(PASSWORD_HASHERS=[FAST_HASHER])
            with md5, time_machine.travel(request.module.NOW, tick=False):
                result = load_demo(leads=getattr(request.module, "DEMO_LEADS", 60))
            yield result
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
