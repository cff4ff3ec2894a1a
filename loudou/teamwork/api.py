"""Team work endpoints: tasks, review meetings, training, process projects."""

from ninja import Router

router = Router(tags=["teamwork"])
