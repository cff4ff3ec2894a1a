"""The public form pages: embeddable anywhere, CSRF-exempt posting guarded by spam checks."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from loudou.webforms.models import WebForm
from loudou.webforms.services import submit_web_form
from loudou.webforms.spam import HONEYPOT, fill_stamp

#: The site's policy, but any site may frame the public form.
_EMBEDDABLE = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


class PublicLeadForm(forms.Form):
    company_name = forms.CharField(label=_("公司名称"), max_length=200)
    contact_name = forms.CharField(label=_("联系人"), max_length=60)
    contact_title = forms.CharField(label=_("职位"), max_length=60, required=False)
    phone = forms.CharField(label=_("电话"), max_length=40, required=False)
    email = forms.CharField(label=_("邮箱"), max_length=254, required=False)
    need_description = forms.CharField(
        label=_("需求描述"), max_length=5000, required=False, widget=forms.Textarea({"rows": 3})
    )
    consent = forms.BooleanField(
        required=True, error_messages={"required": _("请阅读并勾选同意声明后再提交。")}
    )

    def __init__(self, *args, webform: WebForm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = webform.consent_text


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _active_form(token: str) -> WebForm:
    return get_object_or_404(
        WebForm.objects.select_related("channel"), token=token[:40], is_active=True
    )


def _page(request, webform, form, *, status=200, done=False):
    context = {
        "webform": webform,
        "form": form,
        "stamp": fill_stamp(webform),
        "honeypot": HONEYPOT,
        "done": done,
    }
    return render(request, "webforms/form.html", context, status=status)


@require_GET
@xframe_options_exempt
@csp_override(_EMBEDDABLE)
def form_page(request, token: str):
    webform = _active_form(token)
    return _page(request, webform, PublicLeadForm(webform=webform))


@csrf_exempt
@require_POST
@xframe_options_exempt
@csp_override(_EMBEDDABLE)
def form_submit(request, token: str):
    """Spam gets the same thank-you page as a real visitor; a human's mistakes get the form
    back with its errors."""
    webform = _active_form(token)
    form = PublicLeadForm(request.POST, webform=webform)
    if not form.is_valid():
        return _page(request, webform, form, status=400)
    try:
        submit_web_form(form=webform, data=request.POST, ip=_client_ip(request))
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, webform, form, status=400)
    return _page(request, webform, None, done=True)
