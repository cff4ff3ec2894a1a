from loudou.leads.models import Lead
from loudou.leads.services import register_lead


def make_lead(*, actor, owner=None, **values) -> Lead:
    """A lead registered through the real service, so numbering, grading and audit apply."""
    values.setdefault("company_name", "上海示例科技有限公司")
    values.setdefault("contact_name", "王伟")
    values.setdefault("phone", "13812345678")
    return register_lead(actor=actor, values=values, owner=owner)
