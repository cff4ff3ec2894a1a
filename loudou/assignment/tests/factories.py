from loudou.assignment.models import Pool
from loudou.assignment.services import add_to_pool
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead


def make_pool(**values) -> Pool:
    values.setdefault("name", "华东公海")
    return Pool.objects.create(**values)


def pooled_lead(*, pool: Pool, actor, **values) -> Lead:
    """A lead registered by marketing (so nobody owns it) and put into `pool`."""
    lead = make_lead(actor=actor, **values)
    add_to_pool(lead=lead, pool=pool, actor=actor)
    return lead


def pool_form(**values) -> dict:
    """What the pool settings page posts for a new pool 华南公海, with `values` changed."""
    form = {
        "name": "华南公海",
        "order": "0",
        "is_active": "on",
        "max_claims_per_day": "5",
        "protection_days": "30",
        "recycle_lost": "on",
        "cooldown_days": "7",
        "previous_owner_cooldown_days": "30",
    }
    return {**form, **values}
