from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from loudou.leads.selectors import visible_leads
from loudou.org import services
from loudou.org.forms import LanguageForm, LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "org/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    leads = visible_leads(request.user)
    context = {
        "lead_count": leads.count(),
        "invalid_count": leads.filter(is_valid=False).count(),
        "high_intent_count": leads.filter(is_valid=True, intent_grade="A").count(),
        "recent": leads[:10],
    }
    return render(request, "org/home.html", context)


@login_required
def profile(request):
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        services.set_language(user=request.user, language=form.cleaned_data["language"])
        translation.activate(request.user.language)
        messages.success(request, _("界面语言已更新。"))
        return redirect("profile")
    return render(request, "org/profile.html", {"form": form})
