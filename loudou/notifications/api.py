"""Notification endpoints: my notifications; team robots and the outbox for admins."""

from ninja import Field, Query, Router, Schema, Status

from loudou.core.schemas import page_limit
from loudou.notifications import selectors, services
from loudou.notifications.choices import DeliveryStatus
from loudou.notifications.schemas import (
    CountOut,
    DeliveryOut,
    IdsIn,
    NotificationOut,
    RobotIn,
    RobotOut,
    RobotPatch,
    UpdatedOut,
)

router = Router(tags=["notifications"])


class NotificationFilter(Schema):
    unread: bool | None = None
    limit: int = Field(100, ge=1, le=500, description="1 to 500 rows")


@router.get("", response=list[NotificationOut])
def list_notifications(request, filters: Query[NotificationFilter]):
    return selectors.my_notifications(request.user, unread=filters.unread)[: filters.limit]


@router.get("/unread-count", response=CountOut)
def unread_count(request):
    return {"count": selectors.unread_count(request.user)}


@router.post("/read", response=UpdatedOut)
def read(request, payload: IdsIn):
    return {"updated": services.mark_read(user=request.user, ids=payload.ids)}


@router.post("/read-all", response=UpdatedOut)
def read_all(request):
    return {"updated": services.mark_all_read(user=request.user)}


@router.get("/robots", response=list[RobotOut])
def list_robots(request):
    return selectors.admin_robots(request.user)


@router.post("/robots", response={201: RobotOut})
def create_robot(request, payload: RobotIn):
    robot = services.save_robot(actor=request.user, robot=None, values=payload.dict())
    return Status(201, robot)


@router.patch("/robots/{id:robot_id}", response=RobotOut)
def update_robot(request, robot_id: int, payload: RobotPatch):
    robot = selectors.access_robot(request.user, robot_id)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.save_robot(actor=request.user, robot=robot, values=values)


@router.get("/deliveries", response=list[DeliveryOut])
def list_deliveries(
    request, status: DeliveryStatus | None = None, limit: int = page_limit(200, 1000)
):
    return selectors.admin_deliveries(request.user, status=status)[:limit]


@router.post("/deliveries/retry", response=UpdatedOut)
def retry_deliveries(request, payload: IdsIn):
    return {"updated": services.retry_failed(actor=request.user, ids=payload.ids)}
