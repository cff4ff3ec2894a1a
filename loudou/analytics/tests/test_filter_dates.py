"""The period filter keeps its dates when submitted untouched, in every language."""

import pytest
import time_machine
from django.urls import reverse

from loudou.core.testing.html_forms import submitted_values

PAGES = ["funnel", "conversion", "process", "quota", "trends"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@time_machine.travel("2026-06-15 10:00 +0800", tick=False)
def test_the_period_filter_posts_back_the_dates_it_shows(client, manager, page, language):
    # given
    manager.language = language
    manager.save(update_fields=["language"])
    client.force_login(manager)
    url = reverse(f"analytics:{page}")
    # when
    first = client.get(url, {"start": "2026-03-01", "end": "2026-05-31"})
    posted = submitted_values(first.content.decode(), "analytics-filters")
    again = client.get(url, posted)
    # then
    assert (posted["start"], posted["end"]) == ("2026-03-01", "2026-05-31")
    assert again.status_code == 200
    assert submitted_values(again.content.decode(), "analytics-filters")["start"] == "2026-03-01"
