"""Validation shared by every input path (forms, API, import): PII refusal and contacts."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from loudou.compliance.phones import normalise_phone
from loudou.compliance.pii import find_sensitive
from loudou.core.text import control_character_errors


def refuse_sensitive(values: Mapping[str, Any], labels: Mapping[str, str]) -> None:
    """Raise a ValidationError naming each field that holds an ID-card or bank-card number,
    or a control character (NUL, which PostgreSQL cannot store in text, escapes, invisible
    direction marks; a line break in a one-line field such as a name)."""
    errors = control_character_errors(values, labels)
    for name, value in values.items():
        if not isinstance(value, str) or name in errors:
            continue
        kind = find_sensitive(value)
        if kind == "id_card":
            errors[name] = _(
                "“{field}”中含有身份证号码。依据《个人信息保护法》，本系统不收集身份证号，请删除后再保存。"
            ).format(field=labels.get(name, name))
        elif kind == "bank_card":
            errors[name] = _(
                "“{field}”中含有银行卡号。依据《个人信息保护法》，本系统不收集银行卡号，请删除后再保存。"
            ).format(field=labels.get(name, name))
    if errors:
        raise ValidationError(errors, code="sensitive_data")


def clean_contact_fields(phone: str, email: str) -> tuple[str, str, dict[str, str]]:
    """Normalised phone (E.164) and email, plus the problems found (field → message).

    Callers decide what a problem means: registration refuses a malformed phone, email or
    WeChat ID; a lead with no contact method at all is saved as invalid (无效线索).
    """
    problems: dict[str, str] = {}
    normalised_phone = ""
    if phone and phone.strip():
        normalised_phone = normalise_phone(phone) or ""
        if not normalised_phone:
            problems["phone"] = _("“{value}”不是有效的电话号码。").format(value=phone[:40])
    clean_email = (email or "").strip()
    if clean_email:
        try:
            validate_email(clean_email)
        except ValidationError:
            problems["email"] = _("“{value}”不是有效的邮箱地址。").format(value=clean_email[:80])
            clean_email = ""
    return normalised_phone, clean_email.lower() if clean_email else "", problems
