"""Protected reads: a user's own notifications; robots and deliveries for admins only."""

from django.db.models import QuerySet
from django.http import Http404

from loudou.notifications.models import Delivery, Notification, RobotConfig
from loudou.notifications.services.robots import require_admin
from loudou.org.models import User


def my_notifications(user: User, *, unread: bool | None = None) -> QuerySet[Notification]:
    """`user`'s notifications, newest first; `unread` narrows to unread (True) or read."""
    notifications = Notification.objects.filter(user=user)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications


def unread_count(user: User) -> int:
    """One COUNT query; 0 for anonymous users."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at=None).count()


def admin_robots(user: User) -> QuerySet[RobotConfig]:
    """Every team robot; PermissionDenied unless `user` is an administrator."""
    require_admin(user)
    return RobotConfig.objects.select_related("team")


def access_robot(user: User, pk: int) -> RobotConfig:
    robot = admin_robots(user).filter(pk=pk).first()
    if robot is None:
        raise Http404
    return robot


def admin_deliveries(user: User, *, status: str | None = None) -> QuerySet[Delivery]:
    """The outbox, newest first; PermissionDenied unless `user` is an administrator."""
    require_admin(user)
    deliveries = Delivery.objects.select_related("notification", "notification__user")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries
