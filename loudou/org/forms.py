from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from loudou.org import services
from loudou.org.auth import client_ip
from loudou.org.choices import Language


class LoginForm(AuthenticationForm):
    """Django's login form, with one message for a throttled address, whether or not the
    username exists."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("登录尝试过多，请 {minutes} 分钟后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if username and services.login_throttled(ip=ip, username=username):
            raise forms.ValidationError(
                self.error_messages["throttled"].format(minutes=settings.LOGIN_LOCKOUT_MINUTES),
                code="throttled",
            )
        return super().clean()


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("界面语言"), choices=Language.choices)
