"""Reading the analytics figures in templates."""

from django import template

register = template.Library()


@register.filter
def figure(row: dict, metric: str):
    """`row[metric]`: one metric's figures of a period or a group (performance tab)."""
    return row.get(metric)
