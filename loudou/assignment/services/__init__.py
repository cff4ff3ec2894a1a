"""Every write of the assignment app."""

from loudou.assignment.services.pools import (
    add_to_pool,
    claim_from_pool,
    recycle,
    release_to_pool,
)
from loudou.assignment.services.rules import assign_lead, round_robin_pick

__all__ = [
    "assign_lead",
    "round_robin_pick",
    "add_to_pool",
    "claim_from_pool",
    "recycle",
    "release_to_pool",
]
