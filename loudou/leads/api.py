"""Lead endpoints: the same selectors and services as the pages."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from loudou.assignment.services.intake import assign_at_intake
from loudou.compliance.reveal import log_search_reveals, reveal_contact_details
from loudou.compliance.schemas import ContactDetailsOut
from loudou.core.schemas import ErrorsOut, Id
from loudou.customers.selectors import access_customer
from loudou.leads import services
from loudou.leads.exceptions import DuplicateLead
from loudou.leads.filters import BadCursor, LeadFilterForm, keyset_page, paging_owners
from loudou.leads.models import (
    DedupePolicy,
    GradeRule,
    NeedMatchPolicy,
    SavedView,
    SourceChannel,
)
from loudou.leads.schemas import (
    AuditEntryOut,
    DuplicatesOut,
    GradeOverrideIn,
    LeadDetailOut,
    LeadIn,
    LeadListParams,
    LeadPageOut,
    LeadPatch,
    NeedsIn,
    SavedViewIn,
    SavedViewOut,
)
from loudou.leads.selectors import access_lead, lead_timeline, phone_digits, visible_leads
from loudou.leads.services.dedupe_policy import save_dedupe_policy
from loudou.leads.services.grading import save_grade_rule, save_need_policy
from loudou.leads.services.merge import merge_leads
from loudou.leads.services.saved_views import delete_view, save_view
from loudou.org.models import Industry, Region, User
from loudou.org.schemas import GradeRuleIn, GradeRuleOut, NeedPolicyIO

router = Router(tags=["leads"])

_REFERENCES = {"industry_id": ("industry", Industry), "region_id": ("region", Region)}


def _resolve(data: dict, actor: User) -> tuple[dict, dict]:
    """Turn ids and codes of an API body into model instances: (values, extras)."""
    extras = {}
    for key, (name, model) in _REFERENCES.items():
        if key in data:
            pk = data.pop(key)
            data[name] = None if pk is None else model.objects.filter(pk=pk).first()
            if pk is not None and data[name] is None:
                raise ValidationError({key: _("不存在的编号：{pk}").format(pk=pk)})
    if "source" in data and data["source"] is not None:
        code = data["source"]
        data["source"] = SourceChannel.objects.filter(code=code).first()
        if data["source"] is None:
            raise ValidationError({"source": _("未知的线索来源：{code}").format(code=code)})
    if data.get("owner_id") is not None:
        extras["owner"] = User.objects.filter(pk=data["owner_id"], is_active=True).first()
        if extras["owner"] is None:
            raise ValidationError({"owner_id": _("不存在的用户。")})
    data.pop("owner_id", None)
    if data.get("customer_id") is not None:
        extras["customer"] = access_customer(actor, data["customer_id"])
    data.pop("customer_id", None)
    return data, extras


@router.get("", response={200: LeadPageOut, 422: ErrorsOut})
def list_leads(request, filters: Query[LeadListParams]):
    """Leads visible to the caller, filtered like the list page, one keyset page at a time:
    pass `next_cursor` back as `cursor` for the next page."""
    params = filters.dict(exclude_none=True)
    cursor, size = params.pop("cursor", None), params.pop("limit")
    form = LeadFilterForm(params, user=request.user)
    if not form.is_valid():
        raise ValidationError(form.errors)
    try:
        rows, next_cursor = keyset_page(
            form.filter(visible_leads(request.user)),
            sort=form.sort_key(),
            cursor=cursor,
            size=size,
            owners=paging_owners(form, request.user),
        )
    except BadCursor:
        raise ValidationError({"cursor": _("无效的分页游标。")}) from None
    log_search_reveals(viewer=request.user, records=rows, digits=phone_digits(params.get("q")))
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/views", response=list[SavedViewOut])
def list_saved_views(request):
    return SavedView.objects.filter(user=request.user)


@router.post("/views", response={201: SavedViewOut, 422: ErrorsOut})
def create_saved_view(request, payload: SavedViewIn):
    return Status(201, save_view(user=request.user, name=payload.name, query=payload.query))


@router.delete("/views/{id:view_id}", response={204: None})
def delete_saved_view(request, view_id: int):
    if not delete_view(user=request.user, view_id=view_id):
        raise Http404
    return Status(204, None)


@router.post(
    "", response={200: LeadDetailOut, 201: LeadDetailOut, 409: DuplicatesOut, 422: ErrorsOut}
)
def create_lead(request, payload: LeadIn):
    """Register a lead. A duplicate (撞单) answers 409 with the matches unless
    `on_duplicate` says keep / link / merge (`duplicate_of`); merge answers 200 with the
    existing lead."""
    data = payload.dict()
    on_duplicate, duplicate_id = data.pop("on_duplicate"), data.pop("duplicate_of")
    values, extras = _resolve(data, request.user)
    if duplicate_id is not None:
        extras["duplicate_of"] = access_lead(request.user, duplicate_id)
    try:
        lead = services.register_lead(
            actor=request.user, values=values, via="api", on_duplicate=on_duplicate, **extras
        )
    except DuplicateLead as error:
        matches = [m.summary(request.user) for m in error.matches]
        return Status(409, {"detail": error.messages[0], "matches": matches})
    if on_duplicate != "merge":  # credit a rep's own lead; place marketing's (assignment app)
        assign_at_intake(lead, via="api")
    return Status(200 if on_duplicate == "merge" else 201, lead)


@router.get("/{id:lead_id}", response=LeadDetailOut)
def get_lead(request, lead_id: int):
    return access_lead(request.user, lead_id)


@router.patch("/{id:lead_id}", response={200: LeadDetailOut, 422: ErrorsOut})
def update_lead(request, lead_id: int, payload: LeadPatch):
    lead = access_lead(request.user, lead_id)
    values, extras = _resolve(payload.dict(exclude_unset=True), request.user)
    extras.pop("customer", None)
    return services.update_lead(actor=request.user, lead=lead, values=values, via="api", **extras)


@router.post("/{id:lead_id}/reveal", response=ContactDetailsOut)
def reveal(request, lead_id: int):
    """The lead's full phone, e-mail and WeChat: for its owner, or a director or
    administrator (logged as `contact.revealed` on the lead); 403 for anyone else."""
    lead = access_lead(request.user, lead_id)
    return reveal_contact_details(record=lead, viewer=request.user, via="api")


class MergeIn(Schema):
    duplicate_id: Id


@router.post("/{id:lead_id}/merge", response={200: LeadDetailOut, 422: ErrorsOut})
def merge(request, lead_id: int, payload: MergeIn):
    """Merge lead `duplicate_id` into this one (both must be visible to the caller)."""
    survivor = access_lead(request.user, lead_id)
    duplicate = access_lead(request.user, payload.duplicate_id)
    return merge_leads(survivor=survivor, duplicate=duplicate, actor=request.user)


@router.post("/{id:lead_id}/grade-override", response={200: LeadDetailOut, 422: ErrorsOut})
def override_grade(request, lead_id: int, payload: GradeOverrideIn):
    lead = access_lead(request.user, lead_id)
    return services.override_grade(lead=lead, actor=request.user, **payload.dict())


@router.put("/{id:lead_id}/needs", response={200: LeadDetailOut, 422: ErrorsOut})
def assess_needs(request, lead_id: int, payload: NeedsIn):
    lead = access_lead(request.user, lead_id)
    data = payload.dict()
    return services.assess_needs(
        lead=lead,
        actor=request.user,
        needs=data["needs"],
        purchasing_power=data["purchasing_power"],
    )


@router.get("/{id:lead_id}/timeline", response=list[AuditEntryOut])
def timeline(request, lead_id: int):
    lead = access_lead(request.user, lead_id)
    return [
        {
            "at": entry["event"].created_at,
            "actor": str(entry["event"].actor) if entry["event"].actor_id else None,
            "verb": entry["event"].verb,
            "label": str(entry["label"]),
            "reason": entry["event"].reason,
            "changes": [{k: str(v) for k, v in c.items()} for c in entry["changes"]],
        }
        for entry in lead_timeline(lead, request.user)
    ]


# grading configuration -------------------------------------------------------------------

rules_router = Router(tags=["grading"])


@rules_router.get("/rules", response=list[GradeRuleOut])
def list_rules(request):
    return GradeRule.objects.all()


@rules_router.post("/rules", response={201: GradeRuleOut, 422: ErrorsOut})
def create_rule(request, payload: GradeRuleIn):
    values = payload.dict(exclude_unset=True)
    return Status(201, save_grade_rule(actor=request.user, rule=None, values=values))


@rules_router.patch("/rules/{id:rule_id}", response={200: GradeRuleOut, 422: ErrorsOut})
def update_rule(request, rule_id: int, payload: GradeRuleIn):
    rule = GradeRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    values = payload.dict(exclude_unset=True)
    return save_grade_rule(actor=request.user, rule=rule, values=values)


@rules_router.get("/need-policy", response=NeedPolicyIO)
def need_policy(request):
    return NeedMatchPolicy.current()


@rules_router.put("/need-policy", response={200: NeedPolicyIO, 422: ErrorsOut})
def set_need_policy(request, payload: NeedPolicyIO):
    return save_need_policy(actor=request.user, **payload.dict())


class DedupePolicyIO(Schema):
    api_action: Literal["warn", "block"]
    import_action: Literal["warn", "block"]


@rules_router.get("/dedupe-policy", response=DedupePolicyIO)
def dedupe_policy(request):
    return DedupePolicy.current()


@rules_router.put("/dedupe-policy", response={200: DedupePolicyIO, 422: ErrorsOut})
def set_dedupe_policy(request, payload: DedupePolicyIO):
    """What a duplicate does to API posts without `on_duplicate` and to imports."""
    return save_dedupe_policy(actor=request.user, **payload.dict())
