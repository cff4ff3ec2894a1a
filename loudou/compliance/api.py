"""/api/compliance/: a data subject's records, export and erasure (administrators)."""

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema

from loudou.compliance.selectors import subject_summary
from loudou.compliance.subjects import (
    erase_subject,
    export_subject,
    find_subject,
    may_handle_subjects,
)
from loudou.core.schemas import ErrorsOut

router = Router(tags=["compliance"])


class SubjectIn(Schema):
    """Any of the person's contact details (at least one)."""

    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    wechat: str = Field("", max_length=60)


class EraseIn(SubjectIn):
    reason: str = Field(min_length=1, max_length=500)


class SubjectOut(Schema):
    contacts: list[dict]
    leads: list[dict]


class ErasedOut(Schema):
    contacts: int
    leads: int
    follow_ups: int
    events: int
    import_rows: int


def _subject(request, payload: SubjectIn):
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not may_handle_subjects(request.user):
        raise PermissionDenied
    if not (payload.phone.strip() or payload.email.strip() or payload.wechat.strip()):
        raise ValidationError(_("请至少填写电话、邮箱或微信之一。"))
    return find_subject(phone=payload.phone, email=payload.email, wechat=payload.wechat)


@router.post("/subjects/search", response={200: SubjectOut, 422: ErrorsOut})
def search(request, payload: SubjectIn):
    """The person's contacts and leads (contact details masked as everywhere)."""
    return subject_summary(_subject(request, payload), request.user)


@router.post("/subjects/export", response={200: dict, 422: ErrorsOut})
def export(request, payload: SubjectIn):
    """Everything stored about the person (logged as subject.exported)."""
    return export_subject(subject=_subject(request, payload), actor=request.user)


@router.post("/subjects/erase", response={200: ErasedOut, 422: ErrorsOut})
def erase(request, payload: EraseIn):
    """Anonymise the person's records; ledger, stages and figures are kept (logged as
    subject.erased with the reason)."""
    subject = _subject(request, payload)
    return erase_subject(subject=subject, actor=request.user, reason=payload.reason)
