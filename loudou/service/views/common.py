"""What every service page shares."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

from loudou.core.audit import history
from loudou.service.choices import EVENT_LABELS
from loudou.service.services import uses_service

EXPORT_FORMATS = {"csv", "xlsx"}


def require_service(user) -> None:
    """Marketing has no service pages."""
    if not uses_service(user):
        raise PermissionDenied


def add_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form (on its fields where the form has them)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def flash(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def labelled_history(obj) -> list:
    events = list(history(obj)[:200])
    for event in events:
        event.label = EVENT_LABELS.get(event.verb, event.verb)
    return events


def export_kind(request):
    """The requested export format, or a 400 response for an unknown one."""
    kind = request.GET.get("format", "csv")
    if kind not in EXPORT_FORMATS:
        return None, HttpResponseBadRequest(_("格式只能是 csv 或 xlsx。"))
    return kind, None
