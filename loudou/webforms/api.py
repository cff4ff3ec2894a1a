"""Web form administration: the same service as the admin pages (administrators only)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from loudou.core.schemas import page_limit, page_offset
from loudou.leads.models import SourceChannel
from loudou.webforms.models import WebForm
from loudou.webforms.schemas import SpamSubmissionOut, WebFormIn, WebFormOut
from loudou.webforms.services import save_web_form

router = Router(tags=["webforms"])


def _values(payload: WebFormIn) -> dict:
    values = payload.dict()
    code = values["channel"]
    values["channel"] = SourceChannel.objects.filter(code=code).first()
    if values["channel"] is None:
        raise ValidationError({"channel": _("未知的线索来源：{code}").format(code=code)})
    return values


@router.get("", response=list[WebFormOut])
def list_forms(request):
    if not request.user.is_org_admin:
        raise PermissionDenied
    return WebForm.objects.select_related("channel")


@router.post("", response={201: WebFormOut, 422: dict})
def create_form(request, payload: WebFormIn):
    return Status(201, save_web_form(actor=request.user, form=None, values=_values(payload)))


@router.put("/{id:form_id}", response={200: WebFormOut, 422: dict})
def update_form(request, form_id: int, payload: WebFormIn):
    form = WebForm.objects.select_related("channel").filter(pk=form_id).first()
    if form is None:
        raise Http404
    return save_web_form(actor=request.user, form=form, values=_values(payload))


@router.get("/{id:form_id}/spam", response=list[SpamSubmissionOut])
def list_spam(
    request, form_id: int, limit: int = page_limit(100, 500), offset: int = page_offset()
):
    """The posts a form refused as spam, newest first (administrators)."""
    if not request.user.is_org_admin:
        raise PermissionDenied
    form = WebForm.objects.filter(pk=form_id).first()
    if form is None:
        raise Http404
    return form.spam_submissions.all()[offset : offset + limit]
