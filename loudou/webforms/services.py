"""Turning a public form post into a lead, through register_lead like every other lead."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from loudou.compliance.choices import ConsentSource, Purpose
from loudou.compliance.consent import record_consent
from loudou.leads.models import Lead
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.webforms.choices import SpamReason
from loudou.webforms.models import SpamSubmission, WebForm
from loudou.webforms.spam import check_content, first_refusal_in_window, ip_hash, spam_reason

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


#: How much of a spam post is kept: fields, characters per key and per value.
SPAM_MAX_FIELDS, SPAM_MAX_KEY, SPAM_MAX_VALUE = 20, 40, 200
#: Form fields never kept with a spam post.
SPAM_SKIPPED = {"csrfmiddlewaretoken", "ts"}


def _printable(text: str, limit: int) -> str:
    """At most `limit` characters, without NUL (PostgreSQL's JSON refuses it)."""
    return str(text).replace("\x00", "")[:limit]


def truncated_payload(data) -> dict[str, str]:
    """The first fields of a post, keys and values cut short."""
    keys = [k for k in data if k not in SPAM_SKIPPED][:SPAM_MAX_FIELDS]
    return {
        _printable(k, SPAM_MAX_KEY): _printable(data.get(k) or "", SPAM_MAX_VALUE) for k in keys
    }


def record_spam(*, form: WebForm, reason: str, ip: str, data, now=None) -> SpamSubmission | None:
    """Count a spam post and store it (reason, IP hash, truncated payload); of a burst of
    rate-limited posts only the first per window is stored."""
    WebForm.objects.filter(pk=form.pk).update(spam_count=F("spam_count") + 1)
    log.info("web form %s: spam dropped (%s)", form.pk, reason)
    if reason == SpamReason.RATE_LIMITED and not first_refusal_in_window(form, ip):
        return None
    return SpamSubmission.objects.create(
        form=form,
        at=now or timezone.now(),
        reason=reason,
        ip_hash=ip_hash(ip),
        payload=truncated_payload(data),
    )


def prune_spam(*, now=None) -> int:
    """Delete stored spam older than LOUDOU_SPAM_KEPT_DAYS (the counter on the form
    stays). Returns how many were deleted."""
    kept = timedelta(days=settings.LOUDOU_SPAM_KEPT_DAYS)
    return SpamSubmission.objects.filter(at__lt=(now or timezone.now()) - kept).delete()[0]


def submit_web_form(*, form: WebForm, data, ip: str) -> Lead | None:
    """Register the lead a post stands for and place it by the form's intake mode; None
    when it is spam (counted, stored).

    Raises ValidationError (nothing written) for a human's bad input, as register_lead."""
    reason = spam_reason(form, data, ip)
    values = public_values(data)
    reason = reason or check_content(form, values)
    if reason:
        record_spam(form=form, reason=reason, ip=ip, data=data)
        return None
    return _register(form, values)


@transaction.atomic
def _register(form: WebForm, values: dict) -> Lead:
    from loudou.assignment.services.intake import assign_at_intake
    from loudou.leads.services import register_lead

    actor = webform_user()
    lead = register_lead(
        actor=actor, values={**values, "source": form.channel}, via="api", on_duplicate="keep"
    )
    if lead.contact_id is not None:  # the form requires a name, so a contact exists
        record_consent(
            contact=lead.contact,
            purpose=Purpose.SALES,
            granted=True,
            source=ConsentSource.WEB_FORM,
            actor=actor,
            evidence=f"{form.name[:100]}: {form.consent_text}"[:500],
        )
    WebForm.objects.filter(pk=form.pk).update(lead_count=F("lead_count") + 1)
    assign_at_intake(lead, via="webform", mode=form.intake_mode)
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
    "consent_text",
    "intake_mode",
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
