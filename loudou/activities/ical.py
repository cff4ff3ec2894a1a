"""The agenda as iCalendar text (RFC 5545), written by hand: escaping, CRLF line endings
and folding at 75 octets without splitting a UTF-8 character."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings

from loudou.activities.models import FollowUp

LINE_OCTETS = 75
EVENT_LENGTH = timedelta(minutes=30)


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets; continuations start with a
    space (which counts)."""
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode())
        if size + octets > LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += octets
    parts.append(current)
    return "\r\n".join(parts)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _site() -> tuple[str, str]:
    base = settings.SITE_URL.rstrip("/")
    return base, urlsplit(base).hostname or "loudou"


def _event(action: FollowUp, now: datetime, base: str, host: str) -> list[str]:
    lead = action.lead
    start = action.next_action_due
    return [
        "BEGIN:VEVENT",
        f"UID:next-action-{action.pk}@{host}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"DTSTART:{utc_stamp(start)}",
        f"DTEND:{utc_stamp(start + EVENT_LENGTH)}",
        f"SUMMARY:{escape(f'{lead.number} {lead.company_name}: {action.next_action}')}",
        f"DESCRIPTION:{escape(action.summary)}",
        f"URL:{base}{lead.get_absolute_url()}",
        "END:VEVENT",
    ]


def agenda_calendar(actions: Iterable[FollowUp], *, name: str, now: datetime) -> str:
    """A VCALENDAR with one VEVENT per next action that has a due time."""
    base, host = _site()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Loudou//Agenda//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for action in actions:
        if action.next_action_due is not None:
            lines += _event(action, now, base, host)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
