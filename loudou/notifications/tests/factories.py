from loudou.notifications.choices import RobotKind
from loudou.notifications.models import RobotConfig


def make_robot(*, team, url: str, kind: str = RobotKind.WECOM, secret: str = "", **values):
    """A robot written straight to the table (the service is tested on its own)."""
    return RobotConfig.objects.create(
        team=team, kind=kind, webhook_url=url, secret=secret, **values
    )
