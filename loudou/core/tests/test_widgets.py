"""QuickSelect writes the same <select> as Django's template-rendered Select, and pk_url
the same link as reverse()."""

import pytest
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy, override

from loudou.core.links import pk_url
from loudou.core.widgets import QuickSelect
from loudou.org.models import User
from loudou.org.tests.factories import UserFactory

CHOICES = [
    ("", "全部"),
    (1, "上海 & 杭州"),
    ("2", '<b>"粗体"</b>'),
    (3, gettext_lazy("全部")),
    ("组", [("4", "甲"), ("5", "乙")]),
    (None, "空"),
]


def _both(choices, value, attrs=None, widget_attrs=None, required=False) -> tuple[str, str]:
    """The same select rendered by Django's Select and by QuickSelect."""
    out = []
    for cls in (forms.Select, QuickSelect):
        widget = cls(attrs=widget_attrs, choices=choices)
        widget.is_required = required
        out.append(widget.render("owner", value, attrs=attrs))
    return out[0], out[1]


@pytest.mark.parametrize(
    "value", [None, "", "1", 1, "2", "5", "组", "99", "<x>", ["1", "5"], ["5", "1"]]
)
def test_quick_select_writes_the_same_html_as_django_select(value):
    # when
    django_html, quick_html = _both(CHOICES, value, attrs={"id": "id_owner"})
    # then
    assert quick_html == django_html


def test_quick_select_keeps_the_selected_value_and_escapes_labels():
    # when
    html = QuickSelect(choices=CHOICES).render("owner", "2")
    # then
    assert '<option value="2" selected>&lt;b&gt;&quot;粗体&quot;&lt;/b&gt;</option>' in html
    assert html.count(" selected") == 1
    assert '<option value="1">上海 &amp; 杭州</option>' in html


def test_quick_select_writes_attributes_like_django_select():
    # given attributes of every kind: text, true, false, from the widget and the field
    attrs = {"id": "id_owner", "aria-describedby": "help", "disabled": True, "hidden": False}
    # when
    django_html, quick_html = _both(
        CHOICES, "1", attrs=attrs, widget_attrs={"class": 'a "b"'}, required=True
    )
    # then
    assert quick_html == django_html
    assert quick_html.startswith(
        '<select name="owner" class="a &quot;b&quot;" id="id_owner" aria-describedby="help"'
        " disabled>"
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_quick_select_translates_lazy_labels_when_rendered(language):
    # when
    with override(language):
        django_html, quick_html = _both(CHOICES, None)
    # then
    assert quick_html == django_html
    assert ("All" in quick_html) == (language == "en")


def test_quick_select_of_a_model_field_matches_django_select(db):
    # given a model choice field over users (the lead list's owner select)
    users = [UserFactory(display_name=f"销售<{n}>") for n in range(3)]
    field = forms.ModelChoiceField(
        queryset=User.objects.order_by("pk"), required=False, empty_label="全部"
    )
    # when
    django_html, quick_html = _both(field.choices, users[1].pk, attrs={"id": "id_owner"})
    # then
    assert quick_html == django_html
    assert f'<option value="{users[1].pk}" selected>销售&lt;1&gt;</option>' in quick_html


@pytest.mark.parametrize(("name", "pk"), [("leads:detail", 7), ("pipeline:move", 123456789)])
def test_pk_url_is_the_reversed_url(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])
