"""Phone numbers: parsed, validated and normalised to E.164 with `phonenumbers`."""

from functools import lru_cache

import phonenumbers
from django.conf import settings

_MAX_INPUT = 40


def normalise_phone(raw: str, region: str | None = None) -> str | None:
    """E.164 form of a valid phone number (CN mobile/landline or international), else None."""
    text = (raw or "").strip()
    if not text or len(text) > _MAX_INPUT:
        return None
    return _normalised(text, region or settings.PHONE_DEFAULT_REGION)


@lru_cache(maxsize=8192)  # an import checks each row's number twice (validation, duplicates)
def _normalised(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """Readable form: national digits for the home region, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == settings.PHONE_DEFAULT_REGION:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return national.replace(" ", "")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
