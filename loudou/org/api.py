"""Organisation endpoints: people, teams, reference lists, grading configuration."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from loudou.leads.models import SourceChannel
from loudou.org import services
from loudou.org.models import Industry, ProductLine, Region, Team, User
from loudou.org.schemas import ReferenceOut, SourceOut, TeamIn, TeamOut, UserIn, UserOut
from loudou.org.selectors import visible_users

router = Router(tags=["org"])


@router.get("/me", response=UserOut)
def me(request):
    return (
        visible_users(request.user)
        .prefetch_related("specialty_industries", "specialty_regions")
        .get(pk=request.user.pk)
    )


@router.get("/users", response=list[UserOut])
def list_users(request):
    return visible_users(request.user).prefetch_related("specialty_industries", "specialty_regions")


def _user_values(data: dict) -> dict:
    refs = {"team_id": Team, "specialty_industry_ids": Industry, "specialty_region_ids": Region}
    if data.get("team_id") is not None and not Team.objects.filter(pk=data["team_id"]).exists():
        raise ValidationError({"team_id": _("不存在的团队。")})
    for key, target in [
        ("specialty_industry_ids", "specialty_industries"),
        ("specialty_region_ids", "specialty_regions"),
    ]:
        if key in data:
            ids = data.pop(key) or []
            items = list(refs[key].objects.filter(pk__in=ids))
            if len(items) != len(set(ids)):
                raise ValidationError({key: _("含有不存在的编号。")})
            data[target] = items
    return data


@router.post("/users", response={201: UserOut})
def create_user(request, payload: UserIn):
    data = payload.dict(exclude_unset=True)
    password = data.pop("password", None)
    user = services.save_user(
        actor=request.user, user=None, values=_user_values(data), password=password
    )
    return Status(201, user)


@router.patch("/users/{id:user_id}", response=UserOut)
def update_user(request, user_id: int, payload: UserIn):
    if not request.user.is_org_admin:
        raise Http404
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    data = payload.dict(exclude_unset=True)
    password = data.pop("password", None)
    return services.save_user(
        actor=request.user, user=user, values=_user_values(data), password=password
    )


@router.get("/teams", response=list[TeamOut])
def list_teams(request):
    return Team.objects.all()


@router.post("/teams", response={201: TeamOut})
def create_team(request, payload: TeamIn):
    return Status(201, services.save_team(actor=request.user, team=None, values=payload.dict()))


@router.patch("/teams/{id:team_id}", response=TeamOut)
def update_team(request, team_id: int, payload: TeamIn):
    if not request.user.is_org_admin:
        raise Http404
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404
    return services.save_team(
        actor=request.user, team=team, values=payload.dict(exclude_unset=True)
    )


@router.get("/regions", response=list[ReferenceOut])
def regions(request):
    return Region.objects.filter(is_active=True)


@router.get("/industries", response=list[ReferenceOut])
def industries(request):
    return Industry.objects.filter(is_active=True)


@router.get("/product-lines", response=list[ReferenceOut])
def product_lines(request):
    return ProductLine.objects.filter(is_active=True)


@router.get("/sources", response=list[SourceOut])
def sources(request):
    return SourceChannel.objects.filter(is_active=True)
