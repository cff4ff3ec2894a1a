"""Lead pages: parse → access → service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.assignment.services.intake import assign_at_intake
from loudou.compliance.reveal import log_search_reveals, reveal_contact_details
from loudou.core.paging import capped_count
from loudou.leads import services
from loudou.leads.exceptions import DuplicateLead
from loudou.leads.filters import BadCursor, LeadFilterForm, keyset_page, paging_owners
from loudou.leads.forms import GradeOverrideForm, LeadForm, NeedsForm
from loudou.leads.models import SavedView
from loudou.leads.selectors import (
    access_lead,
    lead_timeline,
    phone_digits,
    table_leads,
    visible_leads,
)
from loudou.leads.services.grading import explain_grades, need_match_conclusion
from loudou.leads.services.merge import merge_leads
from loudou.leads.services.saved_views import clean_query, delete_view, save_view

PAGE_SIZE = 50


@login_required
def lead_list(request):
    filters = LeadFilterForm(request.GET or None, user=request.user)
    leads = table_leads(request.user)
    if filters.is_bound and filters.is_valid():
        leads = filters.filter(leads)
    sort = filters.sort_key()
    owners = paging_owners(filters, request.user)
    try:
        rows, next_cursor = keyset_page(
            leads, sort=sort, cursor=request.GET.get("cursor"), size=PAGE_SIZE, owners=owners
        )
    except BadCursor:
        rows, next_cursor = keyset_page(
            leads, sort=sort, cursor=None, size=PAGE_SIZE, owners=owners
        )
    digits = phone_digits(request.GET.get("q", "")) if filters.is_bound else ""
    log_search_reveals(viewer=request.user, records=rows, digits=digits)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "filters": filters,
        "leads": rows,
        "total": capped_count(leads),
        "next_cursor": next_cursor,
        "query": query,
        "saved_views": SavedView.objects.filter(user=request.user),
        "is_first_page": not request.GET.get("cursor"),
    }
    return render(request, "leads/list.html", context)


@require_POST
@login_required
def saved_view_create(request):
    query = request.POST.get("query", "")
    try:
        view = save_view(user=request.user, name=request.POST.get("name", ""), query=query)
        messages.success(request, _("视图“{name}”已保存。").format(name=view.name))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(f"{reverse('leads:list')}?{clean_query(query)}")


@require_POST
@login_required
def saved_view_delete(request, pk: int):
    if not delete_view(user=request.user, view_id=pk):
        raise Http404
    return redirect("leads:list")


def _save(request, form, lead=None):
    """Run the service for a valid form; put its refusals back on the form."""
    owner = form.owner()
    try:
        if lead is None:
            return services.register_lead(
                actor=request.user, values=form.values(), owner=owner, **_duplicate_choice(request)
            )
        return services.update_lead(
            actor=request.user, lead=lead, values=form.values(), owner=owner
        )
    except DuplicateLead as error:
        form.duplicates = _duplicate_rows(request.user, error.matches)
        return None
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _duplicate_choice(request) -> dict:
    """The 撞单 choice sent with the form: check (first submit), keep, or link/merge:<id>."""
    choice, _sep, pk = request.POST.get("on_duplicate", "check").partition(":")
    if choice in {"link", "merge"} and pk.isdigit():
        return {"on_duplicate": choice, "duplicate_of": access_lead(request.user, int(pk))}
    return {"on_duplicate": "keep" if choice == "keep" else "check"}


def _duplicate_rows(user, matches) -> list[dict]:
    usable = set(
        visible_leads(user).filter(pk__in=[m.lead.pk for m in matches]).values_list("pk", flat=True)
    )
    return [{**m.summary(user), "usable": m.lead.pk in usable} for m in matches]


@login_required
def lead_create(request):
    form = LeadForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        lead = _save(request, form)
        if lead is not None:
            merged = request.POST.get("on_duplicate", "").startswith("merge:")
            if not merged:  # credit a rep's own lead; place marketing's (assignment app)
                assign_at_intake(lead, via="form")
            text = _("已合并到线索 {number}。") if merged else _("线索 {number} 已登记。")
            messages.success(request, text.format(number=lead.number))
            still_visible = visible_leads(request.user).filter(pk=lead.pk).exists()
            return redirect(lead if still_visible else "leads:list")
    duplicates = getattr(form, "duplicates", None)
    return render(request, "leads/form.html", {"form": form, "duplicates": duplicates})


@login_required
def lead_edit(request, pk: int):
    lead = access_lead(request.user, pk)
    form = LeadForm(request.POST or None, actor=request.user, lead=lead)
    if request.method == "POST" and form.is_valid() and _save(request, form, lead):
        messages.success(request, _("线索已更新。"))
        return redirect(lead)
    return render(request, "leads/form.html", {"form": form, "lead": lead})


def _detail_context(request, lead, **forms):
    return {
        "lead": lead,
        "explain": explain_grades(lead),
        "conclusion": need_match_conclusion(lead),
        "needs": list(lead.needs.all()),
        "timeline": lead_timeline(lead, request.user),
        "override_form": forms.get("override_form") or GradeOverrideForm(),
        "needs_form": forms.get("needs_form")
        or NeedsForm(initial={"purchasing_power": lead.purchasing_power}),
    }


@login_required
def lead_detail(request, pk: int):
    lead = access_lead(request.user, pk)
    return render(request, "leads/detail.html", _detail_context(request, lead))


@require_POST
@login_required
def lead_override_grade(request, pk: int):
    lead = access_lead(request.user, pk)
    form = GradeOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_grade(lead=lead, actor=request.user, **form.cleaned_data)
            messages.success(request, _("等级已调整。"))
            return redirect(lead)
        except ValidationError as error:
            form.add_error(None, error)
    context = _detail_context(request, lead, override_form=form)
    return render(request, "leads/detail.html", context, status=400)


@require_POST
@login_required
def lead_assess_needs(request, pk: int):
    lead = access_lead(request.user, pk)
    form = NeedsForm(request.POST)
    rows = zip(request.POST.getlist("need"), request.POST.getlist("score"), strict=False)
    needs = [{"need": n, "score": s} for n, s in rows if n.strip() or s.strip()]
    if form.is_valid():
        try:
            services.assess_needs(
                lead=lead,
                actor=request.user,
                needs=needs,
                purchasing_power=form.cleaned_data["purchasing_power"],
            )
            messages.success(request, _("需求匹配度已更新。"))
            return redirect(lead)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
    context = _detail_context(request, lead, needs_form=form)
    return render(request, "leads/detail.html", context, status=400)


@require_POST
@login_required
def lead_merge(request, pk: int):
    """Merge the lead numbered `duplicate_number` (visible to the user) into this one."""
    survivor = access_lead(request.user, pk)
    number = request.POST.get("duplicate_number", "").strip()[:16]
    duplicate = visible_leads(request.user).filter(number=number).first()
    if duplicate is None:
        raise Http404
    try:
        merge_leads(survivor=survivor, duplicate=duplicate, actor=request.user)
        messages.success(request, _("线索 {number} 已并入本线索。").format(number=number))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(survivor)


@require_POST
@login_required
def lead_reveal(request, pk: int):
    """The lead's full phone, e-mail and WeChat for a director or administrator (logged)."""
    lead = access_lead(request.user, pk)
    details = reveal_contact_details(record=lead, viewer=request.user, via="button")
    return render(request, "compliance/revealed.html", {"details": details})
