"""The content security policy allows no inline script and no eval, except on the API
docs page, whose Swagger UI needs eval."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "url", ["/", "/leads/", "/analytics/", "/login/", "/api/openapi.json", "/api/leads"]
)
def test_pages_and_api_answers_forbid_eval_and_inline_script(client, director, url):
    # given
    client.force_login(director)
    # when
    response = client.get(url)
    # then
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_only_the_api_docs_page_allows_eval(client, director):
    # given
    client.force_login(director)
    # when
    response = client.get("/api/docs")
    # then
    assert response.status_code == 200
    assert "script-src 'self' 'unsafe-eval'" in response["Content-Security-Policy"]
    assert reverse("api:openapi-json") in response.content.decode()
