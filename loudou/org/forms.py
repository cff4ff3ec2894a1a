from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from loudou.org.auth import account_is_locked
from loudou.org.choices import Language


class LoginForm(AuthenticationForm):
    """Django's login form, with a clear message for a locked account."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("登录失败次数过多，账号已锁定 {minutes} 分钟，请稍后再试。"),
    }

    def clean(self):
        cleaned = super().clean() if not self._locked() else self.cleaned_data
        if self._locked():
            raise forms.ValidationError(
                self.error_messages["locked"].format(minutes=settings.LOGIN_LOCKOUT_MINUTES),
                code="locked",
            )
        return cleaned

    def _locked(self) -> bool:
        username = self.cleaned_data.get("username")
        return bool(username) and account_is_locked(username)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("界面语言"), choices=Language.choices)
