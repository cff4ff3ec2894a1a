from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from loudou.core.replica import replica_reads
from loudou.leads.filters import newest_leads
from loudou.org import services
from loudou.org.forms import LanguageForm, LoginForm

RECENT_LEADS = 10


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "org/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """The role dashboard (SPEC §11): rep, manager or director."""
    from loudou.analytics.services.dashboards import dashboard

    context = {
        "dash": replica_reads(dashboard)(request.user),  # ADR 0018
        "recent": newest_leads(request.user, RECENT_LEADS),
        "exceptions_template": _optional_template("health/_dashboard_exceptions.html"),
    }
    return render(request, "org/home.html", context)


def _optional_template(name: str) -> str | None:
    """`name` when that template exists (another app may not provide it yet)."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


@login_required
def profile(request):
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        services.set_language(user=request.user, language=form.cleaned_data["language"])
        translation.activate(request.user.language)
        messages.success(request, _("界面语言已更新。"))
        return redirect("profile")
    return render(request, "org/profile.html", {"form": form})
