"""A task for the queue backend tests (tasks must live at module level)."""

from django.tasks import task

ran: list[tuple[int, int]] = []


@task
def add(a: int, b: int) -> int:
    ran.append((a, b))
    return a + b
