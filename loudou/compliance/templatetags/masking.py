from django import template

from loudou.compliance.masking import shown

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_detail(context, record, field: str) -> str:
    """{% contact_detail lead "phone" %}: masked unless the viewer owns the record."""
    return shown(record, field, context["request"].user)


@register.inclusion_tag("compliance/reveal_button.html", takes_context=True)
def reveal_button(context, record, url: str) -> dict:
    """{% reveal_button lead url %}: for a director or administrator who sees `record`'s
    contact details masked, a button that reveals them (logged)."""
    from loudou.compliance.reveal import sees_unmasked

    viewer = context["request"].user
    show = viewer.may_reveal_contacts and not sees_unmasked(viewer, record)
    return {"show": show, "url": url, "id": f"{record._meta.model_name}-{record.pk}"}
