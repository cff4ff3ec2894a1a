"""Every save and delete through the admin site is in the audit log, with the fields
before and after; secrets are never logged."""

from django.contrib import admin
from django.urls import reverse

from loudou.core.admin_site import AuditedAdminMixin
from loudou.core.models import Event
from loudou.core.testing.html_forms import submitted_values
from loudou.org.models import Team, User
from loudou.pipeline.models import Pipeline


def test_every_registered_model_admin_is_audited():
    # when
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdminMixin)
    ]
    # then
    assert unaudited == []
    assert len(admin.site._registry) > 20


def _events(obj):
    return list(
        Event.objects.for_object(obj).order_by("pk").values_list("verb", "changes", "reason")
    )


def test_changing_a_team_in_the_admin_records_before_and_after(client, admin_user, team_a):
    # given
    client.force_login(admin_user)
    url = reverse("admin:org_team_change", args=[team_a.pk])
    posted = submitted_values(client.get(url).content.decode(), "team_form")
    posted.update(name="华东二组", _save="保存")
    # when
    response = client.post(url, posted)
    # then
    assert response.status_code == 302
    assert _events(team_a) == [
        ("admin.changed", [{"field": "name", "before": "华东一组", "after": "华东二组"}], "admin")
    ]


def test_deleting_in_the_admin_is_recorded_first(client, admin_user, team_b):
    # given
    client.force_login(admin_user)
    pk = team_b.pk
    url = reverse("admin:org_team_delete", args=[pk])
    # when
    response = client.post(url, {"post": "yes"})
    # then
    assert response.status_code == 302
    assert not Team.objects.filter(pk=pk).exists()
    event = Event.objects.get(verb="admin.deleted")
    assert (event.object_id, event.actor, event.reason) == (pk, admin_user, "admin")


def test_an_inline_stage_edit_is_recorded_once_by_its_service(client, admin_user):
    # given
    client.force_login(admin_user)
    pipeline = Pipeline.objects.get(is_default=True)
    stage = pipeline.stages.order_by("order").first()
    url = reverse("admin:pipeline_pipeline_change", args=[pipeline.pk])
    posted = submitted_values(client.get(url).content.decode(), "pipeline_form")
    prefix = next(k for k, v in posted.items() if k.endswith("-id") and v == str(stage.pk))
    posted[prefix.replace("-id", "-name_en")] = "Customer pool"
    posted["_save"] = "保存"
    # when
    response = client.post(url, posted)
    # then
    assert response.status_code == 302
    [(verb, changes, _reason)] = _events(stage)
    assert verb == "stage.updated"
    assert {"field": "name_en", "before": stage.name_en, "after": "Customer pool"} in changes


def test_a_password_change_in_the_admin_is_logged_without_the_hash(client, admin_user, rep):
    # given
    client.force_login(admin_user)
    url = reverse("admin:org_user_change", args=[rep.pk])
    posted = submitted_values(client.get(url).content.decode(), "user_form")
    posted.update(display_name="新名字", _save="保存")
    # when
    response = client.post(url, posted)
    # then
    assert response.status_code == 302
    [(verb, changes, _reason)] = _events(User.objects.get(pk=rep.pk))
    assert verb == "admin.changed"
    assert {"field": "display_name", "before": rep.display_name, "after": "新名字"} in changes
    assert all("pbkdf2" not in str(c) and "md5" not in str(c) for c in changes)
