"""Training results per course and per person (averages; improvement = post − pre).

Averages are over the records that have the figure (a test not taken is not a zero),
rounded to one decimal; None when no record has it."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from loudou.teamwork.models import TrainingRecord

ONE_DECIMAL = Decimal("0.1")
#: The averaged figures of a record, in table order.
FIGURES = (
    "participation",
    "pre_score",
    "post_score",
    "improvement",
    "behaviour_rating",
    "timeliness_before",
    "timeliness_after",
    "conversion_before",
    "conversion_after",
)


def decimal_pct(value: float | None) -> Decimal | None:
    """An analytics share (a float with one decimal) as the Decimal the models store."""
    return None if value is None else Decimal(str(value))


def mean(values: Iterable) -> Decimal | None:
    present = [Decimal(v) for v in values if v is not None]
    if not present:
        return None
    return (sum(present) / len(present)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _averages(records: list[TrainingRecord]) -> dict:
    return {name: mean(getattr(r, name) for r in records) for name in FIGURES}


def attendance_pct(records: list[TrainingRecord]) -> Decimal | None:
    if not records:
        return None
    share = Decimal(sum(r.attended for r in records) * 100) / len(records)
    return share.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def course_summary(records: Iterable[TrainingRecord]) -> dict:
    """The course's rows and their averages (the attendance share among them)."""
    rows = list(records)
    return {
        "rows": rows,
        "count": len(rows),
        "attended": sum(r.attended for r in rows),
        "attendance_pct": attendance_pct(rows),
        "averages": _averages(rows),
    }


def person_summary(records: Iterable[TrainingRecord]) -> list[dict]:
    """One row per person over their courses: courses, attended, and the averages."""
    by_person: dict[int, list[TrainingRecord]] = defaultdict(list)
    people = {}
    for record in records:
        by_person[record.person_id].append(record)
        people[record.person_id] = record.person
    rows = []
    for pk, mine in by_person.items():
        rows.append(
            {
                "person": people[pk],
                "person_id": pk,
                "courses": len(mine),
                "attended": sum(r.attended for r in mine),
                "attendance_pct": attendance_pct(mine),
                **_averages(mine),
            }
        )
    return sorted(rows, key=lambda row: (row["person"].username, row["person_id"]))
