from django import template

from loudou.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_notification_count(user) -> int:
    """The bell's number: `user`'s unread notifications (one COUNT query; 0 if anonymous)."""
    if user is None:
        return 0
    return unread_count(user)
