"""Small shared helpers of the figures: units and shares."""

US_PER_DAY = 86_400 * 1_000_000


def days(us: float | None, digits: int = 2) -> float | None:
    return None if us is None else round(us / US_PER_DAY, digits)


def pct(part: int, whole: int, digits: int = 1) -> float | None:
    return None if not whole else round(part * 100 / whole, digits)
