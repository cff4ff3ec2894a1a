"""Text every input path refuses: control characters, and line breaks in one-line fields.

Names with an escape sequence or an invisible direction mark (U+202E turns
"rep_gpj.exe" into "rep_exe.jpg") look like other names, break exports and reorder what
people see; PostgreSQL cannot store NUL at all. The forms, the API, the imports and the
configuration services all refuse them with the same message."""

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Fields that hold one line: a line break there is refused like any control character.
SINGLE_LINE = frozenset(
    {"company_name", "name", "contact_name", "contact_title", "title", "phone", "email"}
    | {"wechat", "address", "username", "display_name", "code", "name_en"}
)
#: Control characters (C0 but tab and line breaks, DEL, C1) and the invisible marks that
#: reorder or hide text (bidirectional overrides and isolates, line/paragraph separators).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile("[\r\n]")


def control_character(name: str, value: str) -> str | None:
    """The first character `value` may not hold in field `name`, written as \\x1b."""
    found = _CONTROL.search(value) or (_LINE_BREAK.search(value) if name in SINGLE_LINE else None)
    if found is None:
        return None
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def control_character_errors(
    values: Mapping[str, Any], labels: Mapping[str, str]
) -> dict[str, str]:
    """A message per field of `values` that holds a control character."""
    errors = {}
    for name, value in values.items():
        char = control_character(name, value) if isinstance(value, str) else None
        if char == "\\x00":
            errors[name] = _("“{field}”中含有空字符（\\x00），请删除后再保存。").format(
                field=labels.get(name, name)
            )
        elif char is not None:
            errors[name] = _("“{field}”中含有控制字符（{char}），请删除后再保存。").format(
                field=labels.get(name, name), char=char
            )
    return errors


def refuse_control_characters(values: Mapping[str, Any], labels: Mapping[str, str]) -> None:
    """Raise a ValidationError naming each field of `values` with a control character."""
    errors = control_character_errors(values, labels)
    if errors:
        raise ValidationError(errors, code="control_character")


def field_labels(model) -> dict[str, str]:
    """Field name → verbose name of `model`, for messages."""
    return {f.name: str(getattr(f, "verbose_name", f.name)) for f in model._meta.get_fields()}
