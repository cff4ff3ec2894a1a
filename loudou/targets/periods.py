"""Target periods: calendar years, quarters and months, their ends, labels and parts.

A period starts on the first day of a calendar year (annual), quarter (quarterly: January,
April, July, October) or month, and ends the day before the next one starts. Actuals
count what happened from local midnight of the first day to local midnight after the
last (settings.TIME_ZONE).
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.targets.choices import PERIOD_MONTHS, Period

#: The first and last start a target may have (as analysis periods, ADR 0011).
FIRST_START, LAST_START = date(2000, 1, 1), date(2099, 12, 1)
#: What a period is split into by time.
FINER = {Period.ANNUAL: Period.QUARTERLY, Period.QUARTERLY: Period.MONTHLY}


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_end(period: str, start: date) -> date:
    return add_months(start, PERIOD_MONTHS[period]) - timedelta(days=1)


def start_errors(period: str, start: date) -> list[str]:
    """Why `start` cannot begin a `period` target (empty when it can)."""
    if not FIRST_START <= start <= LAST_START:
        bounds = {"first": FIRST_START.isoformat(), "last": LAST_START.isoformat()}
        return [_("开始日期须在 {first} 至 {last} 之间。").format(**bounds)]
    if period == Period.ANNUAL and (start.month, start.day) != (1, 1):
        return [_("年度目标须从1月1日开始。")]
    if period == Period.QUARTERLY and (start.day != 1 or start.month not in (1, 4, 7, 10)):
        return [_("季度目标须从1月、4月、7月或10月的1日开始。")]
    if period == Period.MONTHLY and start.day != 1:
        return [_("月度目标须从某月1日开始。")]
    return []


def check_start(period: str, start: date) -> None:
    errors = start_errors(period, start)
    if errors:
        raise ValidationError({"start": errors})


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[first instant, first instant after) of the local days start..end."""
    return local_midnight(start), local_midnight(end + timedelta(days=1))


def period_label(period: str, start: date) -> str:
    if period == Period.ANNUAL:
        return _("{year}年").format(year=start.year)
    if period == Period.QUARTERLY:
        return _("{year}年第{quarter}季度").format(year=start.year, quarter=(start.month + 2) // 3)
    return _("{year}年{month}月").format(year=start.year, month=start.month)


def parts(period: str, start: date) -> list[tuple[str, date]]:
    """The next finer periods that make up this one (a year: 4 quarters; a quarter: 3
    months; a month: none)."""
    finer = FINER.get(period)
    if finer is None:
        return []
    step = PERIOD_MONTHS[finer]
    return [(finer, add_months(start, i * step)) for i in range(PERIOD_MONTHS[period] // step)]


def containing(period: str, day: date) -> date:
    """The start of the `period` that contains `day`."""
    if period == Period.ANNUAL:
        return date(day.year, 1, 1)
    if period == Period.QUARTERLY:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, day.month, 1)
