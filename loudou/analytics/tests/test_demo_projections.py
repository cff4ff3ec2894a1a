"""The demo (which moves stages through move_stage) ends with projections equal to a
rebuild from the ledger, and the director's dashboard shows its funnel."""

import pytest

from loudou.analytics import projections
from loudou.analytics.models import LeadProgress, StageStay
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.scope import Scope
from loudou.demo.services import load_demo
from loudou.org.models import User
from loudou.pipeline.models import StageChange


def _snapshot():
    stays = list(StageStay.objects.order_by("change_id").values_list())
    progress = list(LeadProgress.objects.order_by("lead_id").values_list())
    return stays, progress


@pytest.mark.django_db
def test_the_demo_ends_with_projections_equal_to_a_rebuild(client):
    # given
    load_demo(leads=60)
    kept = _snapshot()
    # when
    projections.rebuild()
    # then
    assert _snapshot() == kept
    assert len(kept[0]) == StageChange.objects.count() > 60
    director = User.objects.filter(role="director").first()
    result = funnel(Scope.build(director))
    assert result["stages"][0]["reached"] > 0
    client.force_login(director)
    assert client.get("/").status_code == 200
