"""Masking of contact details on records the viewer does not own: one place for all."""

import re

_DIGIT = re.compile(r"\d")


def mask_phone(display: str) -> str:
    """Keep the first 3 and last 4 digits: 13812345678 → 138****5678."""
    digits = [m.start() for m in _DIGIT.finditer(display)]
    if len(digits) <= 7:
        return "*" * len(display)
    hidden = set(digits[3:-4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(display))


def mask_email(email: str) -> str:
    local, sep, domain = email.partition("@")
    if not sep:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_text(value: str) -> str:
    if not value:
        return ""
    return value[:1] + "***"


def mask(value: str, *, kind: str, visible: bool) -> str:
    """`value` as the viewer may see it: whole when `visible`, masked otherwise."""
    if visible or not value:
        return value or ""
    if kind == "phone":
        return mask_phone(value)
    if kind == "email":
        return mask_email(value)
    return mask_text(value)


def owner_ids(record) -> tuple[int | None, int | None]:
    """(owner id, captured-by id) of a lead, a customer, or a contact (via its customer)."""
    holder = getattr(record, "customer", None) if not hasattr(record, "owner_id") else record
    if holder is None:
        return None, None
    return holder.owner_id, getattr(holder, "captured_by_id", None)


def shown(record, field: str, viewer) -> str:
    """The value of a record's phone / email / WeChat as `viewer` may see it."""
    from loudou.compliance.phones import display_phone
    from loudou.org.selectors import owns

    value = getattr(record, field) or ""
    if field == "phone":
        value = display_phone(value)
    owner_id, captured_by_id = owner_ids(record)
    visible = owns(viewer, owner_id=owner_id, captured_by_id=captured_by_id)
    kind = field if field in {"phone", "email"} else "text"
    return mask(value, kind=kind, visible=visible)
