from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qorgau.accounts import services
from qorgau.accounts.forms import LanguageForm, ThrottledLoginForm, TokenCreateForm


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request):
    new_key = None
    token_form = TokenCreateForm()
    password_form = PasswordChangeForm(request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "token":
            token_form = TokenCreateForm(request.POST)
            if token_form.is_valid():
                _token, new_key = services.token_create(
                    user=request.user, name=token_form.cleaned_data["name"]
                )
                messages.success(request, _("Token created. Copy it now: it will not be shown again."))
                token_form = TokenCreateForm()
        elif action == "revoke":
            try:
                token_id = int(request.POST.get("token", ""))
            except ValueError:
                token_id = 0
            if services.token_revoke(user=request.user, token_id=token_id):
                messages.success(request, _("Token revoked."))
            return redirect("accounts:profile")
        elif action == "password":
            password_form = PasswordChangeForm(request.user, request.POST)
            if password_form.is_valid():
                password_form.save()
                update_session_auth_hash(request, password_form.user)
                messages.success(request, _("Password changed."))
                return redirect("accounts:profile")
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "accounts/profile.html",
        {"tokens": tokens, "token_form": token_form, "new_key": new_key, "password_form": password_form},
    )


@require_POST
def set_language(request):
    """Switch the interface language; for a signed-in user the choice is kept with the account."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        translation.activate(language)
        response.set_cookie("qorgau_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
