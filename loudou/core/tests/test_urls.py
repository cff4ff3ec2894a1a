"""Record ids in URLs never overflow the database: every route takes them with the `id`
converter (1 to 18 digits), so a longer id is a 404, not a server error."""

import pytest
from django.urls import get_resolver
from django.urls.converters import IntConverter
from django.urls.resolvers import URLPattern, URLResolver

from loudou.core.converters import IdConverter


def _routes(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        converters = getattr(entry.pattern, "converters", {})
        yield route, converters
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        else:
            assert isinstance(entry, URLPattern)


def test_no_route_takes_an_unbounded_integer():
    # when
    unbounded = [
        route
        for route, converters in _routes(get_resolver())
        if any(type(c) is IntConverter for c in converters.values())
    ]
    # then
    assert unbounded == []
    assert any(
        isinstance(c, IdConverter)
        for _route, converters in _routes(get_resolver())
        for c in converters.values()
    )


@pytest.mark.parametrize("pk", ["9" * 30, str(2**63)])
def test_a_page_for_an_id_beyond_any_record_is_not_found(client, director, pk):
    # given
    client.force_login(director)
    # when
    response = client.get(f"/leads/{pk}/")
    # then
    assert response.status_code == 404
