"""What every team-work page shares."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models

from loudou.core.audit import history
from loudou.teamwork.choices import EVENT_LABELS


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def editable_copy(obj: models.Model) -> models.Model:
    """A copy for a ModelForm to validate into: the service still gets the unchanged
    original, so its audit entry holds the real "before"."""
    return copy.copy(obj)


def add_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form (on its fields where the form has them)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def flash(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def labelled_history(obj: models.Model) -> list:
    """The audit events about `obj`, newest first, each with its `label`."""
    events = list(history(obj)[:200])
    for event in events:
        event.label = EVENT_LABELS.get(event.verb, event.verb)
    return events
