"""What every commerce page shares."""

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext as _

from loudou.commerce.exports import FORMATS
from loudou.core.audit import history

PAGE_SIZE = 50

EVENT_LABELS = {
    "product.created": _("创建产品"),
    "product.updated": _("修改产品"),
    "quote.created": _("创建报价单"),
    "quote.updated": _("修改报价单"),
    "quote.lines_changed": _("修改报价明细"),
    "quote.pending": _("提交审批"),
    "quote.approved": _("批准"),
    "quote.rejected": _("驳回"),
    "contract.created": _("创建合同"),
    "contract.updated": _("修改合同"),
    "contract.review": _("提交审核"),
    "contract.draft": _("退回草稿"),
    "contract.signed": _("签约"),
    "contract.paid": _("回款完成"),
    "contract.accepted": _("实施验收"),
    "contract.cancelled": _("取消合同"),
    "contract.milestone_added": _("添加回款计划"),
    "contract.milestone_removed": _("删除回款计划"),
    "contract.payment_recorded": _("登记回款"),
    "contract.attachment_added": _("上传附件"),
    "contract.attachment_removed": _("删除附件"),
    "contract.attachment_downloaded": _("下载附件"),
    "contract.handed_over": _("人员交接"),
    "order.created": _("创建订单"),
    "order.updated": _("修改订单"),
    "order.cancelled": _("取消订单"),
}


def add_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form (on its fields where the form has them)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def labelled_history(obj: models.Model) -> list:
    events = list(history(obj)[:200])
    for event in events:
        event.label = EVENT_LABELS.get(event.verb, event.verb)
    return events


def paged(request, queryset) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def bad_format(kind: str) -> HttpResponse | None:
    if kind in FORMATS:
        return None
    return HttpResponse(_("格式只能是 csv 或 xlsx。"), status=400)


def download(lines, what: str, kind: str, header: list[str], title: str):
    from loudou.imports.api import _download  # the one streamed .csv/.xlsx writer

    return _download(lines, what, kind, header=header, title=title)


def seller_required(view):
    """Signed in, and for the lists and forms not marketing (403). A record's page (a view
    with a path id) is left to its access_* selector: hidden looks like missing (404)."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    from loudou.commerce.services import may_sell

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not kwargs and not may_sell(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)
