"""Turning a public form post into a lead, through register_lead like every other lead."""

import logging

from django.db import transaction
from django.db.models import F

from loudou.leads.models import Lead
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.webforms.models import WebForm
from loudou.webforms.spam import check_content, spam_reason

log = logging.getLogger(__name__)

#: Fields a visitor fills in; everything else in a post is ignored.
PUBLIC_FIELDS = [
    "company_name",
    "contact_name",
    "contact_title",
    "phone",
    "email",
    "need_description",
]
SYSTEM_USERNAME = "webform"


def webform_user() -> User:
    """The system user web-form leads are registered by (marketing: they wait in the pool)."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"role": Role.MARKETING, "display_name": "网页表单", "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def public_values(data) -> dict[str, str]:
    """The visitor's answers, as short strings (anything longer is cut, not refused)."""
    return {name: str(data.get(name) or "")[:5000] for name in PUBLIC_FIELDS}


def record_spam(*, form: WebForm, reason: str, ip: str) -> None:
    WebForm.objects.filter(pk=form.pk).update(spam_count=F("spam_count") + 1)
    log.warning("web form %s: spam dropped (%s) from %s", form.pk, reason, ip)


def submit_web_form(*, form: WebForm, data, ip: str) -> Lead | None:
    """Register the lead a post stands for; None when it is spam (counted, logged).

    Raises ValidationError (nothing written) for a human's bad input, as register_lead."""
    reason = spam_reason(form, data, ip)
    values = public_values(data)
    reason = reason or check_content(form, values)
    if reason:
        record_spam(form=form, reason=reason, ip=ip)
        return None
    return _register(form, values)


@transaction.atomic
def _register(form: WebForm, values: dict) -> Lead:
    from loudou.leads.services import register_lead

    lead = register_lead(
        actor=webform_user(),
        values={**values, "source": form.channel},
        via="api",
        on_duplicate="keep",
    )
    WebForm.objects.filter(pk=form.pk).update(lead_count=F("lead_count") + 1)
    return lead


#: Fields an administrator sets on a web form.
FORM_FIELDS = [
    "name",
    "channel",
    "is_active",
    "require_fill_time",
    "banned_company_names",
    "stop_phrases",
    "thank_you_text",
]


@transaction.atomic
def save_web_form(*, actor: User, form: WebForm | None, values: dict) -> WebForm:
    """Create or edit a web form (administrators only); every change is audited."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from loudou.core import audit

    if not actor.is_org_admin:
        raise PermissionDenied(_("只有系统管理员可以管理网页表单。"))
    form = form or WebForm()
    verb = "webform.created" if form.pk is None else "webform.updated"
    audit.save_with_audit(obj=form, actor=actor, verb=verb, values=values)
    return form
