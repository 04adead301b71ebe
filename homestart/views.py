from __future__ import annotations

import logging
import sys
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from homestart.rules import Role

from . import policy_map as policy_map_table
from . import selectors, services, two_factor
from .forms import (
    AccessRefuseForm,
    InductionForm,
    LanguageForm,
    PasswordChangeForm,
    PasswordSetForm,
    ReauthenticateForm,
    TokenForm,
    form_error,
)
from .history import Source, person_name, render_history
from .language import ENGLISH, remember
from .middleware import database_unavailable
from .models import SCHEME_APPROVER_ROLES, AccessRequest, Induction, Membership, PolicyVersion, Scheme
from .once import form_once
from .security import has_second_factor, recent_authentication, security_event
from .services import policy_acknowledge


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
@never_cache
def policy(request: HttpRequest) -> HttpResponse:
    """Read and acknowledge the current Confidentiality Policy (§3.1, §4.1, §5.1)."""
    current = PolicyVersion.current()
    if current is None:
        return render(request, "homestart/no_policy.html", status=503)
    acknowledged = current.acknowledgements.filter(user=request.user).first()
    error = None
    if request.method == "POST":
        if request.POST.get("acknowledge") == "yes":
            policy_acknowledge(user=request.user, version=current)
            messages.success(
                request,
                _("Thank you. You acknowledged the Confidentiality Policy (%(version)s).")
                % {"version": current.version},
            )
            return redirect(_safe_next(request))
        error = _("Confirm that you have read the policy and will follow it.")
    return render(
        request,
        "homestart/policy.html",
        {"policy": current, "acknowledged": acknowledged, "error": error, "next": _safe_next(request)},
    )


# --- two-factor sign-in and re-authentication (§8.2) -------------------------


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _adding_another_authenticator(request: HttpRequest) -> bool:
    """Someone signed in with their second factor enrolling one more (ASVS 7.5.1)."""
    return request.user.is_verified() and has_second_factor(request.user)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@recent_authentication(back="two_factor_setup", when=_adding_another_authenticator)
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (TOTP) and receive recovery codes."""
    if has_second_factor(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _safe_next(request)})}")
    device = two_factor.pending_device(request=request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_device(request=request, device=device, token=form.cleaned_data["token"])
        if codes is None:
            form.add_error("token", _("That code is wrong or has expired. Enter the 6-digit code your app shows now."))
        else:
            return render(request, "homestart/recovery_codes.html", {"codes": codes, "next": _safe_next(request)})
    return render(
        request,
        "homestart/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device.config_url),
            "secret": two_factor.secret_for_display(device),
            "next": _safe_next(request),
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_safe_next(request))
        form.add_error(
            "token", _("That code is wrong, has been used or has expired. Wait for a new code and try again.")
        )
    return render(request, "homestart/two_factor_verify.html", {"form": form, "next": _safe_next(request)})


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Confirm it is still you before an export, a destruction or a permission change."""
    needs_code = has_second_factor(request.user)
    form = ReauthenticateForm(request.POST or None, needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        if two_factor.reauthenticate(
            request=request, password=form.cleaned_data["password"], token=form.cleaned_data.get("token", "")
        ):
            return redirect(_safe_next(request))
        form.add_error("password", _("Your password or code is not right. Try again."))
    return render(request, "homestart/reauthenticate.html", {"form": form, "next": _safe_next(request)})


# --- your account: password and recovery codes (§8.2) ---------------------------


@require_http_methods(["GET"])
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    """Your own sign-in settings: password, two-factor sign-in and recovery codes."""
    return render(
        request,
        "homestart/account.html",
        {
            "has_authenticator": two_factor.has_authenticator(request.user),
            "codes_left": two_factor.recovery_codes_left(user=request.user),
            "codes_issued": two_factor.RECOVERY_CODES,
            # Your inductions on the policy (§3.1, §4.1, §5.1): when, by whom, which version.
            "inductions": request.user.inductions.select_related("scheme", "inducted_by", "policy_version"),
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def language(request: HttpRequest) -> HttpResponse:
    """English or Welsh (issue 17.8): the choice on the account page, and the language link
    every page carries. Signed in, the choice is kept on the person (with history) and
    follows them to every device; signed out, the cookie keeps it for this browser."""
    form = LanguageForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.language_choose(user=request.user, language=chosen)
        translation.activate(chosen)
        done = _("The pages are now in English.") if chosen == ENGLISH else _("The pages are now in Welsh.")
        messages.success(request, done)
        target = request.POST.get("next")
        default = reverse("account") if request.user.is_authenticated else reverse("login")
        response = redirect(_safe_next(request) if target else default)
        remember(response, chosen)
        return response
    return render(request, "homestart/language.html", {"form": form, "next": _came_from(request)})


def _came_from(request: HttpRequest) -> str:
    """The page the language link was followed from, to go back to once the language is
    chosen: ``?next=``, else the browser's Referer (sent for this site only). The link
    itself names no page, so a page that shows nobody a reference (a 404) names none in it."""
    if request.GET.get("next"):
        return _safe_next(request)
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.get_host() or referer.path == reverse("language"):
        return ""
    return referer.path + (f"?{referer.query}" if referer.query else "")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change your own password (OWASP ASVS 6.2.2, 6.2.3). Django's view saves it and
    keeps this session (``update_session_auth_hash``, with a new session key); every
    other session of the person ends at its next request (ASVS 7.4.3)."""

    form_class = PasswordChangeForm
    template_name = "homestart/password_change.html"
    success_url = reverse_lazy("account")
    http_method_names = ["get", "post"]

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        if form.has_error("old_password", "password_incorrect"):
            security_event(
                "password_change_refused", request=self.request, level=logging.WARNING, reason="current_password"
            )
        return super().form_invalid(form)

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_changed", request=self.request)
        messages.success(self.request, _("Your password has been changed. You have been signed out everywhere else."))
        return response


password_change = require_http_methods(["GET", "POST"])(
    never_cache(recent_authentication(PasswordChangeView.as_view()))
)


@require_http_methods(["GET", "POST"])
@never_cache
@recent_authentication
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; the old ones stop working (OWASP ASVS 6.5.1)."""
    has_authenticator = two_factor.has_authenticator(request.user)
    if request.method == "POST" and has_authenticator:
        codes = two_factor.recovery_codes_issue(user=request.user)
        security_event("recovery_codes_issued", request=request, during="regeneration")
        return render(
            request, "homestart/recovery_codes.html", {"codes": codes, "regenerated": True, "next": reverse("account")}
        )
    return render(
        request,
        "homestart/recovery_codes_new.html",
        {
            "has_authenticator": has_authenticator,
            "codes_left": two_factor.recovery_codes_left(user=request.user),
        },
    )


# Who reads the history of who held which role in a scheme: the scheme manager, who
# asks for and ends access, and the trustees, who oversee that the policy is met
# throughout the scheme (Policy Statement, §3.8). Coordinators manage families, not
# access; administrators keep the same history in Django admin.
MEMBERSHIP_HISTORY_ROLES = (Role.MANAGER, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE)


@require_GET
@never_cache
def membership_history(request: HttpRequest) -> HttpResponse:
    """Who held which role in the scheme, from when to when, and who changed it."""
    schemes = list(
        Scheme.objects.filter(
            memberships__in=Membership.objects.current().filter(user=request.user, role__in=MEMBERSHIP_HISTORY_ROLES)
        )
        .distinct()
        .order_by("name")
    )
    if not schemes:
        raise Http404("No such page.")
    scheme = next((s for s in schemes if s.code == request.GET.get("scheme")), schemes[0])

    def sources() -> list[Source]:
        return [
            Source(
                Membership.history.filter(scheme_id=scheme.pk).select_related("user"),
                lambda row: f"{person_name(row.user, with_role=False)}: {row.get_role_display()}",
                exclude={"scheme", "user"},
            )
        ]

    return render_history(
        request,
        title=_("roles in %(scheme)s") % {"scheme": scheme.name},
        caption=scheme.name,
        back_url=reverse("families:dashboard"),
        back_label=_("Back to the start page"),
        sources=sources,
        note=_("Who held which role in the scheme, from when, and who gave or ended it."),
    )


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Choose your password from the link an administrator had e-mailed to you (§8.2).
    The link works once and for a few hours (``PASSWORD_RESET_TIMEOUT``)."""

    form_class = PasswordSetForm
    template_name = "homestart/password_set.html"
    success_url = reverse_lazy("login")
    http_method_names = ["get", "post"]

    def form_valid(self, form: PasswordSetForm) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_set_from_link", request=self.request, user_id=form.user.pk)
        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return response


password_set = sensitive_post_parameters()(never_cache(PasswordSetView.as_view()))


# --- two people for every grant of access (§8.3, §7.6) ---------------------------


def _approvable(request: HttpRequest, grant_id: int) -> AccessRequest:
    """A pending request this person may decide; any other is not theirs to know about (404)."""
    return get_object_or_404(AccessRequest.objects.approvable_by(request.user), pk=grant_id)


@require_http_methods(["GET"])
@never_cache
def access_requests(request: HttpRequest) -> HttpResponse:
    """Grants waiting for this person's approval, and the requests they made themselves."""
    waiting = (
        AccessRequest.objects.approvable_by(request.user)
        .select_related("user", "scheme", "requested_by", "line_manager", "for_membership")
        .order_by("requested_at")
    )
    mine = (
        AccessRequest.objects.filter(requested_by=request.user)
        .select_related("user", "scheme", "line_manager", "for_membership", "decision__decided_by")
        .order_by("-requested_at")[:50]
    )
    schemes = Scheme.objects.filter(
        memberships__in=Membership.objects.current().filter(user=request.user, role__in=SCHEME_APPROVER_ROLES)
    ).distinct()
    return render(request, "homestart/access_requests.html", {"waiting": waiting, "mine": mine, "schemes": schemes})


@require_http_methods(["POST"])
@never_cache
@recent_authentication(back="access_requests")
def access_request_approve(request: HttpRequest, grant_id: int) -> HttpResponse:
    access_request = _approvable(request, grant_id)
    try:
        services.access_request_approve(access_request=access_request, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Approved: %(what)s, for %(person)s.")
            % {"what": access_request.what, "person": access_request.user.display_name},
        )
    return redirect("access_requests")


@require_http_methods(["GET", "POST"])
@never_cache
def access_request_refuse(request: HttpRequest, grant_id: int) -> HttpResponse:
    access_request = _approvable(request, grant_id)
    form = AccessRefuseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_request_refuse(
                access_request=access_request, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Refused: %(what)s, for %(person)s.")
                % {"what": access_request.what, "person": access_request.user.display_name},
            )
            return redirect("access_requests")
    return render(request, "homestart/access_request_refuse.html", {"form": form, "access_request": access_request})


@require_http_methods(["GET"])
@never_cache
def access_holders(request: HttpRequest, scheme_code: str) -> HttpResponse:
    """Who holds access to this scheme's files (§8.3): every current role, with who asked
    for it and who approved it, and when. For the scheme's manager and its trustees."""
    scheme = (
        Scheme.objects.filter(
            code=scheme_code,
            memberships__in=Membership.objects.current().filter(user=request.user, role__in=SCHEME_APPROVER_ROLES),
        )
        .distinct()
        .first()
    )
    if scheme is None:
        raise Http404("No such scheme.")
    current = (
        Membership.objects.current()
        .select_related("user", "line_manager", "grant__requested_by", "grant__decision__decided_by")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )
    return render(
        request,
        "homestart/access_holders.html",
        {
            "scheme": scheme,
            "holders": current.filter(scheme=scheme),
            # HSUK reviewers (a sample of any scheme's files, §8.3) and administrators (§7.6).
            "national": current.filter(scheme__isnull=True),
        },
    )


# --- inductions on the policy (§3.1, §3.8, §4.1, §4.3, §5.1, §5.3, §5.4) -------------------------


def _induction_scheme(request: HttpRequest) -> Scheme:
    """The scheme whose register this person reads (``?scheme=CODE``, else their first); 404 if none."""
    schemes = list(selectors.induction_schemes_for(user=request.user))
    if not schemes:
        raise Http404("No such page.")
    wanted = request.POST.get("scheme") or request.GET.get("scheme")
    return next((s for s in schemes if s.code == wanted), schemes[0])


@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def inductions(request: HttpRequest) -> HttpResponse:
    """Who in the scheme was inducted on the current policy, when and by whom, and whether they
    acknowledged it; a form for those who induct. For the manager, coordinators and trustees (§3.8)."""
    scheme = _induction_scheme(request)
    kinds = services.induction_may_record(actor=request.user, scheme=scheme)
    register = selectors.induction_register(scheme=scheme)
    form = None
    if kinds:
        people = sorted(
            {line.person for line in register if line.inducted_as in kinds and line.person != request.user},
            key=lambda p: p.display_name,
        )
        choices = [(k, Induction.As(k).label) for k in kinds]
        form = InductionForm(request.POST or None, people=people, kinds=choices)
    elif request.method == "POST":
        raise PermissionDenied("You do not record inductions.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = data.pop("person")
        person = next(p for p in people if p.pk == chosen)
        try:
            services.induction_record(person=person, scheme=scheme, actor=request.user, **data)
        except ValidationError as error:
            form_error(form, error)
        else:
            on = data["inducted_on"]
            messages.success(
                request,
                _("Induction recorded: %(person)s, %(date)s.")
                % {"person": person.display_name, "date": date_format(on, "j F Y")},
            )
            return redirect(f"{reverse('inductions')}?{urlencode({'scheme': scheme.code})}")
    schemes = selectors.induction_schemes_for(user=request.user)
    return render(
        request,
        "homestart/inductions.html",
        {"scheme": scheme, "schemes": schemes, "register": register, "form": form},
    )


@require_GET
@never_cache
def induction_history(request: HttpRequest) -> HttpResponse:
    """Every induction recorded in the scheme, and any change to one, with who made it."""
    scheme = _induction_scheme(request)

    def sources() -> list[Source]:
        return [
            Source(
                Induction.history.filter(scheme_id=scheme.pk).select_related("person", "inducted_by"),
                lambda row: _("Induction of %(person)s") % {"person": person_name(row.person)},
                exclude={"scheme", "person", "recorded_at"},
            )
        ]

    return render_history(
        request,
        title=_("inductions in %(scheme)s") % {"scheme": scheme.name},
        caption=scheme.name,
        back_url=f"{reverse('inductions')}?{urlencode({'scheme': scheme.code})}",
        back_label=_("Back to inductions"),
        sources=sources,
        note=_("Every induction on the Confidentiality Policy recorded in the scheme, and who recorded it."),
    )


# --- how this system keeps the policy (§3.8) -------------------------------------------------------

# Who reads the map of clause, enforcement and tests: the scheme manager, trustees (who ensure the
# policy is kept, §3.8), HSUK reviewers (quality assessment, §8.3) and administrators.
POLICY_MAP_ROLES = (Role.MANAGER, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE, Role.REVIEWER, Role.ADMIN)


@require_GET
@never_cache
def policy_map(request: HttpRequest) -> HttpResponse:
    """Each clause of the policy: its words, how the system enforces it and the tests that prove it;
    rendered from the same table as docs/policy-map.md."""
    if not Membership.objects.current().filter(user=request.user, role__in=POLICY_MAP_ROLES).exists():
        raise Http404("No such page.")
    rows = policy_map_table.rows_for_page()
    sections: dict[str, list] = {}
    for row in rows:
        sections.setdefault(f"{row.clause.section}. {row.clause.section_title}", []).append(row)
    return render(request, "homestart/policy_map.html", {"sections": sections, "policy": PolicyVersion.current()})


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, or 503 when the database cancelled a query or was lost."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError):
        return database_unavailable(request, exception)
    return defaults.server_error(request)
