"""Template tags for the lead page: the follow-up panel and the merged timeline."""

from django import template
from django.template.loader import render_to_string

from loudou.activities.selectors import lead_timeline

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_up_panel(context, lead):
    """The follow-up panel of `lead` for the request's user (who has accessed the lead)."""
    from loudou.activities.panel import follow_up_panel_context

    request = context["request"]
    return render_to_string(
        "activities/_follow_up_panel.html",
        follow_up_panel_context(request, lead),
        request=request,
    )


@register.simple_tag
def merged_timeline(lead, viewer) -> list[dict]:
    """Field changes, stage changes and follow-ups of `lead`, newest first, masked for
    `viewer`: `{% merged_timeline lead request.user as entries %}`."""
    return lead_timeline(lead, viewer)
