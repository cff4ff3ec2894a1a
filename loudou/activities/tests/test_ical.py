"""iCalendar text: escaping, CRLF endings and folding at 75 octets."""

from types import SimpleNamespace

from loudou.activities.ical import agenda_calendar, escape, fold
from loudou.activities.tests.factories import local


def test_text_values_escape_backslash_comma_semicolon_and_newlines():
    assert escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    # given a line of 3-octet characters
    line = "SUMMARY:" + "漏" * 60
    # when
    parts = fold(line).split("\r\n")
    # then every physical line fits and unfolding restores the line
    assert all(len(p.encode()) <= 75 for p in parts)
    assert parts[0] == "SUMMARY:" + "漏" * 22
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_calendar_has_crlf_lines_and_an_event_in_utc(settings):
    # given an action due 10:00 Shanghai time
    settings.SITE_URL = "https://crm.example.com"
    lead = SimpleNamespace(
        number="LX2026000007",
        company_name="上海示例科技有限公司",
        get_absolute_url=lambda: "/leads/7/",
    )
    action = SimpleNamespace(
        pk=42,
        lead=lead,
        next_action="发报价, 跟进",
        summary="电话沟通",
        next_action_due=local(2026, 3, 9, 10, 0),
    )
    # when
    text = agenda_calendar([action], name="日程", now=local(2026, 3, 8, 8, 0))
    # then
    lines = text.split("\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert lines[6:15] == [
        "BEGIN:VEVENT",
        "UID:next-action-42@crm.example.com",
        "DTSTAMP:20260308T000000Z",
        "DTSTART:20260309T020000Z",
        "DTEND:20260309T023000Z",
        "SUMMARY:LX2026000007 上海示例科技有限公司: 发报价\\, 跟进",
        "DESCRIPTION:电话沟通",
        "URL:https://crm.example.com/leads/7/",
        "END:VEVENT",
    ]
