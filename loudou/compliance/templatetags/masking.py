from django import template

from loudou.compliance.masking import shown

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_detail(context, record, field: str) -> str:
    """{% contact_detail lead "phone" %}: masked unless the viewer owns the record."""
    return shown(record, field, context["request"].user)
