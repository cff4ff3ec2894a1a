"""Model selects read their choices in one plain query (core.forms.ListedChoiceIterator)."""

from django import forms
from django.db.models import QuerySet
from django.urls import reverse

from loudou.pipeline.models import Stage


def _refuse_streaming(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("choices streamed through QuerySet.iterator()")

    monkeypatch.setattr(QuerySet, "iterator", refuse)


def test_single_and_multiple_model_selects_list_their_choices_without_streaming(db, monkeypatch):
    # given a form with both kinds of model select, and streaming refused
    class Picker(forms.Form):
        one = forms.ModelChoiceField(Stage.objects.order_by("order"))
        many = forms.ModelMultipleChoiceField(Stage.objects.order_by("order"))

    _refuse_streaming(monkeypatch)
    stages = list(Stage.objects.order_by("order"))
    # when they are rendered
    form = Picker()
    one, many = list(form["one"].field.choices), list(form["many"].field.choices)
    # then every stage is offered, in order, after the blank choice of the single select
    assert [str(label) for _value, label in one[1:]] == [str(s) for s in stages]
    assert [value.value for value, _label in one[1:]] == [s.pk for s in stages]
    assert [value.value for value, _label in many] == [s.pk for s in stages]
    assert one[0][0] == ""


def test_the_lead_list_renders_its_filter_selects_without_streaming(client, rep, monkeypatch):
    # given streaming refused
    _refuse_streaming(monkeypatch)
    client.force_login(rep)
    # when the list with its filter form is opened, then it renders the stage choices
    response = client.get(reverse("leads:list"))
    assert response.status_code == 200
    assert str(Stage.objects.order_by("order").first()) in response.content.decode()
