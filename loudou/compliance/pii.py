"""Detection of personal data that must never be collected (PIPL 个人信息保护法).

Mainland ID-card numbers (18 digits with the ISO 7064 MOD 11-2 check character, or the
old 15-digit form with a valid birth date) and bank-card numbers (16-19 digits passing
the Luhn check, optionally grouped with spaces or dashes, standing alone: no letter or
digit on either side).
"""

import re
from datetime import date

from django.utils import timezone

_ID18 = re.compile(r"(?<![0-9A-Za-z])([1-8]\d{5})(\d{8})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])([1-8]\d{5})(\d{6})(\d{3})(?![0-9A-Za-z])")
# One zero-width pattern per length, so that every candidate is tried: a greedy match
# would swallow a neighbouring short number ("…7894 12月") and hide the card. A run with a
# letter or digit on either side is part of a longer token (a hex id such as
# "00275937100699204a3d…"), not a card written down.
_CARDS = [
    re.compile(rf"(?<![0-9A-Za-z])(?=(\d(?:[ -]?\d){{{n - 1}}})(?![0-9A-Za-z]))")
    for n in range(16, 20)
]
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= timezone.localdate()


def is_id_card(number: str) -> bool:
    """True for a well-formed 18-digit mainland ID-card number (check character included)."""
    match = _ID18.fullmatch(number)
    if not match:
        return False
    birth = match.group(2)
    if not _valid_date(int(birth[:4]), int(birth[4:6]), int(birth[6:])):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def _is_old_id_card(match: re.Match) -> bool:
    birth = match.group(2)
    return _valid_date(1900 + int(birth[:2]), int(birth[2:4]), int(birth[4:]))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def find_sensitive(text: str) -> str | None:
    """The kind of forbidden personal data in `text` ("id_card" / "bank_card"), or None."""
    if not text:
        return None
    for match in _ID18.finditer(text):
        if is_id_card(match.group(0)):
            return "id_card"
    for match in _ID15.finditer(text):
        if _is_old_id_card(match):
            return "id_card"
    for card in _CARDS:
        for match in card.finditer(text):
            if luhn_ok(re.sub(r"[ -]", "", match.group(1))):
                return "bank_card"
    return None
