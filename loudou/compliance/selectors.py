"""Reads of compliance: a subject's records as an administrator may list them."""

from loudou.compliance.masking import shown
from loudou.compliance.subjects import Subject


def subject_summary(subject: Subject, viewer) -> dict:
    """What the request page lists before export or erasure (contact details masked as
    everywhere; the export is the full copy, logged)."""
    return {
        "contacts": [
            {
                "id": c.pk,
                "company": c.customer.name,
                "name": c.name,
                "phone": shown(c, "phone", viewer),
                "email": shown(c, "email", viewer),
                "anonymised": c.anonymised_at is not None,
            }
            for c in subject.contacts
        ],
        "leads": [
            {
                "id": lead.pk,
                "number": lead.number,
                "company": lead.company_name,
                "stage": str(lead.stage) if lead.stage_id else "",
                "phone": shown(lead, "phone", viewer),
            }
            for lead in subject.leads
        ],
    }
