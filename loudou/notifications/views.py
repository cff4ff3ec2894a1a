from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from loudou.notifications import selectors, services

PER_PAGE = 50


@login_required
def notification_list(request):
    unread = request.GET.get("show") == "unread"
    notifications = selectors.my_notifications(request.user, unread=True if unread else None)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread})


def _back(request):
    url = reverse("notifications:list")
    return redirect(f"{url}?show=unread" if request.POST.get("show") == "unread" else url)


@require_POST
@login_required
def mark_read_view(request):
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    services.mark_read(user=request.user, ids=ids)
    return _back(request)


@require_POST
@login_required
def mark_all_read_view(request):
    services.mark_all_read(user=request.user)
    return _back(request)
