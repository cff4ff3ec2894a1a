"""Form widgets whose rendered value the browser accepts in every language.

`<input type=date>` and `<input type=datetime-local>` take ISO values only; Django's
localized default (zh-hans: `2026/12/19`) is rejected by the browser, which then shows
and submits an empty field, so an untouched form would blank the date on save."""

from django import forms

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
