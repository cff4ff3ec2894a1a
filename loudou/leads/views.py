"""Lead pages: parse → access → service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.leads import services
from loudou.leads.filters import LeadFilterForm
from loudou.leads.forms import GradeOverrideForm, LeadForm, NeedsForm
from loudou.leads.selectors import access_lead, lead_timeline, visible_leads
from loudou.leads.services.grading import explain_grades, need_match_conclusion

PAGE_SIZE = 50


@login_required
def lead_list(request):
    filters = LeadFilterForm(request.GET or None)
    leads = visible_leads(request.user)
    if filters.is_valid():
        leads = filters.filter(leads)
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "leads": page.object_list, "query": query}
    return render(request, "leads/list.html", context)


def _save(request, form, lead=None):
    """Run the service for a valid form; put its refusals back on the form."""
    owner = form.cleaned_data.get("owner")
    try:
        if lead is None:
            return services.register_lead(actor=request.user, values=form.values(), owner=owner)
        return services.update_lead(
            actor=request.user, lead=lead, values=form.values(), owner=owner
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@login_required
def lead_create(request):
    form = LeadForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        lead = _save(request, form)
        if lead is not None:
            messages.success(request, _("线索 {number} 已登记。").format(number=lead.number))
            return redirect(lead)
    return render(request, "leads/form.html", {"form": form})


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
