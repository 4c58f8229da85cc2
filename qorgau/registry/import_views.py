"""The import page: upload a file, see what it would change and every error, then confirm.

The uploaded file waits under VAR_DIR/imports/<token> between the preview and the confirmation; the
session records whose it is, so only the uploader can open its preview.
"""

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from qorgau.accounts import policy
from qorgau.core.errors import ImportRejected
from qorgau.registry import importing
from qorgau.registry.forms import ImportUploadForm

SESSION_KEY = "qorgau_imports"
# Files nobody confirmed are removed after this long.
KEEP_SECONDS = 24 * 60 * 60
# The preview lists this many errors; the rest are counted. Nobody reads more before fixing the file.
ERRORS_SHOWN = 500
# Multipart headers around the file; a body larger than the limit plus this is refused unread.
_MULTIPART_SLACK = 64 * 1024


def _imports_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _require_import(request) -> None:
    if not policy.can_import(request.user):
        raise PermissionDenied


def _remove_stale_files() -> None:
    directory = _imports_dir()
    if not directory.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _too_large_message(size: int) -> str:
    limit = settings.IMPORT_MAX_BYTES
    return str(importing.TOO_LARGE % {"size": filesizeformat(size), "limit": filesizeformat(limit)})


def _upload_page(request, form, refusal: str = ""):
    context = {
        "form": form,
        "refusal": refusal,
        "school_columns": importing.column_help(importing.SCHOOLS),
        "equipment_columns": importing.column_help(importing.EQUIPMENT),
        "max_bytes": settings.IMPORT_MAX_BYTES,
    }
    return render(request, "registry/import_upload.html", context)


@login_required
def import_upload(request):
    _require_import(request)
    if request.method != "POST":
        return _upload_page(request, ImportUploadForm())
    # An oversized body is refused before Django spools it to disk.
    length = request.META.get("CONTENT_LENGTH", "")
    length = int(length) if length.isdigit() else 0  # Django, too, reads a malformed length as none
    if length > settings.IMPORT_MAX_BYTES + _MULTIPART_SLACK:
        return _upload_page(request, ImportUploadForm(), refusal=_too_large_message(length))
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form)
    upload = form.cleaned_data["file"]
    if upload.size > settings.IMPORT_MAX_BYTES:
        form.add_error("file", _too_large_message(upload.size))
        return _upload_page(request, form)
    data = upload.read()
    try:
        importing.check_file(data=data)
    except ImportRejected as error:
        form.add_error("file", str(error))
        return _upload_page(request, form)
    _remove_stale_files()
    token = uuid.uuid4()
    _imports_dir().mkdir(parents=True, exist_ok=True)
    (_imports_dir() / str(token)).write_bytes(data)
    uploads = request.session.get(SESSION_KEY, {})
    uploads[str(token)] = {"user_id": request.user.pk, "filename": Path(upload.name).name[:200]}
    request.session[SESSION_KEY] = uploads
    return redirect("registry:import_preview", token=token)


def _uploaded_file(request, token: uuid.UUID) -> tuple[Path, str]:
    """The stored file and its name, if this user uploaded it; 404 for everyone else and for old tokens."""
    entry = request.session.get(SESSION_KEY, {}).get(str(token))
    path = _imports_dir() / str(token)
    if not entry or entry.get("user_id") != request.user.pk or not path.is_file():
        raise Http404
    return path, entry["filename"]


def _forget(request, token: uuid.UUID, path: Path) -> None:
    path.unlink(missing_ok=True)
    uploads = request.session.get(SESSION_KEY, {})
    uploads.pop(str(token), None)
    request.session[SESSION_KEY] = uploads


@login_required
def import_preview(request, token: uuid.UUID):
    _require_import(request)
    path, filename = _uploaded_file(request, token)
    data = path.read_bytes()
    if request.method == "POST":
        try:
            result = importing.import_apply(user=request.user, data=data, filename=filename)
        except ImportRejected as error:
            # The register changed since the preview: show the preview again, with what is wrong now.
            messages.error(request, str(error))
        else:
            _forget(request, token, path)
            messages.success(
                request,
                _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect("registry:school_list")
    context = {"filename": filename, "token": token}
    try:
        result = importing.import_preview(user=request.user, data=data, filename=filename)
    except ImportRejected as error:
        context["refusal"] = str(error)
    else:
        context.update(
            result=result,
            errors=result.errors[:ERRORS_SHOWN],
            errors_hidden=max(0, len(result.errors) - ERRORS_SHOWN),
        )
    return render(request, "registry/import_preview.html", context)


@login_required
def import_template(request, kind: str):
    _require_import(request)
    if kind not in (importing.SCHOOLS, importing.EQUIPMENT):
        raise Http404
    response = HttpResponse(importing.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="qorgau-{kind}-template.csv"'
    return response
