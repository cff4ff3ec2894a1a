"""Every write to leads: registration, editing, grading, need match, numbering."""

from loudou.leads.services.grading import assess_needs, override_grade
from loudou.leads.services.registration import LEAD_FIELDS, register_lead, update_lead

__all__ = ["LEAD_FIELDS", "assess_needs", "override_grade", "register_lead", "update_lead"]
