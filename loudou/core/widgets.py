"""Form widgets whose rendered value the browser accepts in every language.

`<input type=date>` and `<input type=datetime-local>` take ISO values only; Django's
localized default (zh-hans: `2026/12/19`) is rejected by the browser, which then shows
and submits an empty field, so an untouched form would blank the date on save."""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe

ISO_DATE = "%Y-%m-%d"
ISO_LOCAL_DATETIME = "%Y-%m-%dT%H:%M"


class IsoDateInput(forms.DateInput):
    """A date picker that renders its value as 2026-12-19 whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class LocalDateTimeInput(forms.DateTimeInput):
    """A date-and-time picker (local time) that renders 2026-12-19T09:30."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_LOCAL_DATETIME)


class QuickSelect(forms.Select):
    """Django's <select>, the same HTML, with its options written in Python: the template
    per option cost 5-10 µs of template engine each (the lead list's owner select holds
    every user the viewer sees, issue 14). One selected option at most."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = self.format_value(value)
        parts = [
            format_html('<select name="{}"', name),
            _attributes(self.build_attrs(self.attrs, attrs)),
            ">",
        ]
        found = False
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(format_html('\n  <optgroup label="{}">', option_value))
                found = _options(parts, label, chosen, found)
                parts.append("\n  </optgroup>")
            else:
                found = _options(parts, [(option_value, label)], chosen, found)
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)


def _options(parts: list[str], choices, chosen: list[str], found: bool) -> bool:
    for option_value, label in choices:
        text = "" if option_value is None else str(option_value)
        selected = not found and text in chosen
        found |= selected
        parts.append(
            format_html(
                '\n  <option value="{}"{}>{}</option>\n',
                text,
                " selected" if selected else "",
                label,
            )
        )
    return found


def _attributes(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )
