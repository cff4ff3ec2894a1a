"""The stage ledger is append-only: not through the model, a queryset, the API or the admin."""

import pytest
from django.urls import reverse

from loudou.core.models import AppendOnlyError
from loudou.org.services import issue_api_token
from loudou.pipeline.models import StageChange
from loudou.pipeline.services import move_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(rep, lead, stages):
    return move_stage(lead=lead, to_stage=stages["graded"], actor=rep, via="form", reason="核实")


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def test_a_ledger_row_cannot_be_saved_again(row):
    row.reason = "改写历史"
    with pytest.raises(AppendOnlyError):
        row.save()
    assert StageChange.objects.get(pk=row.pk).reason == "核实"


def test_a_ledger_row_cannot_be_deleted(row):
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert StageChange.objects.filter(pk=row.pk).exists()


def test_the_ledger_cannot_be_updated_or_deleted_in_bulk(row):
    with pytest.raises(AppendOnlyError):
        StageChange.objects.filter(pk=row.pk).update(reason="改写历史")
    with pytest.raises(AppendOnlyError):
        StageChange.objects.all().delete()
    assert StageChange.objects.get(pk=row.pk).reason == "核实"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_the_ledger_api_answers_405_to_anything_but_reading(client, rep, lead, row, method):
    # given the rep's own lead with its ledger
    url = f"/api/pipeline/leads/{lead.pk}/stage-changes"
    count = StageChange.objects.count()
    # when they try to write to the ledger URL
    response = getattr(client, method)(
        url, data={"reason": "改写历史"}, content_type="application/json", **_bearer(rep)
    )
    # then the method is not allowed and nothing changed
    assert response.status_code == 405
    assert StageChange.objects.count() == count
    assert StageChange.objects.get(pk=row.pk).reason == "核实"


def test_the_admin_shows_the_ledger_read_only(client, admin_user, row):
    # given an administrator in the admin
    client.force_login(admin_user)
    change_url = reverse("admin:pipeline_stagechange_change", args=[row.pk])
    # when they open a row, post a change, delete it or add one
    view = client.get(change_url)
    posted = client.post(change_url, {"reason": "改写历史"})
    deleted = client.post(
        reverse("admin:pipeline_stagechange_delete", args=[row.pk]), {"post": "yes"}
    )
    added = client.get(reverse("admin:pipeline_stagechange_add"))
    # then they can read it but every write is refused
    assert view.status_code == 200
    assert b'name="_save"' not in view.content
    assert (posted.status_code, deleted.status_code, added.status_code) == (403, 403, 403)
    assert StageChange.objects.get(pk=row.pk).reason == "核实"
