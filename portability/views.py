"""The scheme manager's pages: bring families in (upload, preview, confirm) and take the
scheme's records out (an encrypted archive, after confirming it is them)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homestart.once import form_once
from homestart.security import recent_authentication

from . import exporting, importing
from .columns import FAMILY_COLUMNS, VOLUNTEER_COLUMNS
from .forms import UPLOAD_LIMIT, ExportForm, UploadForm
from .models import PendingImport, SchemeExport
from .reading import FileRefused


class MemoryOnlyUploadHandler(MemoryFileUploadHandler):
    """Keep the upload in memory whatever its size (up to the form's limit): a file of
    families never lands in a temporary file on disk, in plaintext."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length <= UPLOAD_LIMIT + 64 * 1024


def _scheme(request: HttpRequest):
    scheme = importing.scheme_managed_by(user=request.user, code=request.GET.get("scheme", ""))
    if scheme is None:
        raise PermissionDenied(_("Only the scheme manager brings records in or takes them out."))
    return scheme


def _pending(request: HttpRequest, pending_id) -> PendingImport:
    pending = (
        PendingImport.objects.select_related("scheme", "data_key")
        .filter(pk=pending_id, uploaded_by=request.user)
        .first()
    )
    if pending is None or importing.scheme_managed_by(user=request.user, code=pending.scheme.code) is None:
        raise Http404("No such upload.")
    return pending


@require_GET
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    scheme = _scheme(request)
    return render(
        request,
        "portability/index.html",
        {
            "scheme": scheme,
            "exports": SchemeExport.objects.filter(scheme=scheme).select_related("exported_by")[:20],
            "uploads": PendingImport.objects.filter(scheme=scheme, uploaded_by=request.user)[:10],
        },
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
def upload(request: HttpRequest) -> HttpResponse:
    request.upload_handlers = [MemoryOnlyUploadHandler(request)]
    return _upload(request)


@csrf_protect
@form_once
def _upload(request: HttpRequest) -> HttpResponse:
    scheme = _scheme(request)
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > UPLOAD_LIMIT + 64 * 1024:
        form = UploadForm()
        form.add_error(None, _("The file is larger than 5 MB: split it, or use the import command."))
        return render(request, "portability/upload.html", {"form": form, "scheme": scheme, "columns": FAMILY_COLUMNS})
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            pending, _report = importing.pending_import_stage(
                scheme=scheme, actor=request.user, content=upload.read(), name=upload.name
            )
        except FileRefused as refused:
            form.add_error("file", str(refused))
        else:
            return redirect("portability:preview", pending_id=pending.pk)
    return render(request, "portability/upload.html", {"form": form, "scheme": scheme, "columns": FAMILY_COLUMNS})


@require_GET
@never_cache
def preview(request: HttpRequest, pending_id) -> HttpResponse:
    pending = _pending(request, pending_id)
    report = None
    if pending.status == PendingImport.Status.WAITING:
        report = importing.pending_import_preview(pending=pending, actor=request.user)
    return render(request, "portability/preview.html", {"pending": pending, "report": report})


@require_GET
@never_cache
def errors_file(request: HttpRequest, pending_id) -> HttpResponse:
    pending = _pending(request, pending_id)
    if pending.status != PendingImport.Status.WAITING:
        raise Http404("The file was imported or abandoned: it can no longer be read.")
    report = importing.pending_import_preview(pending=pending, actor=request.user)
    response = HttpResponse(report.errors_csv().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="refused-rows.csv"'
    return response


@require_POST
@form_once
def confirm(request: HttpRequest, pending_id) -> HttpResponse:
    pending = _pending(request, pending_id)
    report = importing.pending_import_confirm(pending=pending, actor=request.user)
    if report is None:
        messages.info(request, _("This file was already imported (or abandoned): nothing was imported twice."))
    else:
        messages.success(request, report.summary())
    return redirect("portability:preview", pending_id=pending.pk)


@require_POST
def abandon(request: HttpRequest, pending_id) -> HttpResponse:
    pending = _pending(request, pending_id)
    importing.pending_import_abandon(pending=pending, actor=request.user)
    messages.info(request, _("The upload was abandoned and can no longer be read. Nothing was imported."))
    return redirect("portability:index")


@require_GET
@never_cache
def columns(request: HttpRequest) -> HttpResponse:
    """The heading row of the families file, as a CSV template to fill in."""
    _scheme(request)
    body = ",".join(c.name for c in FAMILY_COLUMNS) + "\r\n"
    response = HttpResponse(body.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="families-template.csv"'
    return response


@sensitive_post_parameters("passphrase", "passphrase_again")
@require_http_methods(["GET", "POST"])
@never_cache
@recent_authentication
def export(request: HttpRequest) -> HttpResponse:
    scheme = _scheme(request)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        archive = exporting.scheme_export(
            scheme=scheme,
            actor=request.user,
            passphrase=form.cleaned_data["passphrase"],
            recipient=form.cleaned_data["recipient"].strip(),
        )
        response = HttpResponse(archive, content_type="application/octet-stream")
        name = f"{scheme.code}-records-{timezone.localdate():%Y-%m-%d}.zip.age"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "portability/export.html",
        {"form": form, "scheme": scheme, "volunteer_columns": VOLUNTEER_COLUMNS},
    )
