from datetime import datetime

from ninja import Field, Schema

from loudou.core.schemas import Id
from loudou.notifications.choices import DeliveryStatus, RobotKind


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class CountOut(Schema):
    count: int


class IdsIn(Schema):
    ids: list[Id] = Field(max_length=1000)


class UpdatedOut(Schema):
    updated: int


class RobotOut(Schema):
    """The secret is write-only: only whether one is set is shown."""

    id: int
    team_id: Id
    kind: RobotKind
    name: str
    webhook_url: str
    has_secret: bool
    is_active: bool

    @staticmethod
    def resolve_has_secret(obj) -> bool:
        return bool(obj.secret)


class RobotIn(Schema):
    team_id: Id
    kind: RobotKind
    name: str = Field("", max_length=60)
    webhook_url: str = Field(max_length=500)
    secret: str = Field("", max_length=200)
    is_active: bool = True


class RobotPatch(Schema):
    team_id: Id | None = None
    kind: RobotKind = None
    name: str = Field(None, max_length=60)
    webhook_url: str = Field(None, max_length=500)
    secret: str = Field(None, max_length=200)
    is_active: bool = None


class DeliveryOut(Schema):
    id: int
    notification_id: Id
    user_id: Id
    title: str
    channel: str
    target: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str
    sent_at: datetime | None

    @staticmethod
    def resolve_user_id(obj) -> int:
        return obj.notification.user_id

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.notification.title
