"""HTML upload and delete for server-rendered pages (the trainer's settings): the same
services as the API, answered with a message and a redirect; and public images from disk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from traino.exceptions import DomainError

from . import backends, services, validation
from .forms import UploadForm
from .models import Folder
from .permissions import file_for
from .throttling import UploadThrottle


def _next_url(request, *, read_body: bool = True) -> str:
    """Where to go back to: ``next`` from the query string, else (``read_body``) the form."""
    next_url = request.GET.get("next") or (read_body and request.POST.get("next")) or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return next_url


@csrf_exempt
@login_required
@require_POST
def upload(request):
    """Refuse a body over the size limit by its declared length, before anything reads it.

    CSRF protection reads a multipart body to find its token, so it runs after this check
    (``csrf_protect`` on ``_upload``) rather than in the middleware, which runs first. A
    refusal here changes nothing but a message, so it needs no CSRF token.
    """
    try:
        validation.check_content_length(request.META)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_next_url(request, read_body=False))
    return _upload(request)


@csrf_protect
def _upload(request):
    next_url = _next_url(request)
    throttle = UploadThrottle()
    if not throttle.allow_request(request):
        messages.error(request, _too_many_uploads_message(throttle.wait()))
        return redirect(next_url)
    try:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            raise validation.EmptyFile()
        file = form.cleaned_data["file"]
        validation.check_size(file.size)
        services.upload_create(
            user=request.user,
            folder=form.cleaned_data["folder"],
            filename=file.name or "",
            data=file.read(),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if form.cleaned_data["folder"] == Folder.PROFILE:
            messages.success(request, _("Your photo is uploaded."))
        else:
            messages.success(request, _("Your file is uploaded."))
    return redirect(next_url)


def _too_many_uploads_message(wait_seconds: int) -> str:
    minutes = max(1, -(-wait_seconds // 60))
    return ngettext(
        "You have uploaded too many files for now. Try again in %(minutes)d minute.",
        "You have uploaded too many files for now. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


@login_required
@require_POST
def delete(request, pk: int):
    """The owner deletes one of their files (objects first, then the row); anyone else,
    staff included, gets a 404: this page acts on your own files only."""
    file = file_for(request.user, pk, staff=False)
    try:
        services.upload_delete(file=file)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The file is deleted."))
    return redirect(_next_url(request))


def public_media(request, key: str):
    """Public images from MEDIA_ROOT when there is no S3 (the embedded default): only keys in
    public folders, with the same headers S3 would send. Wire it at MEDIA_URL."""
    store = backends.get_store()
    if not isinstance(store, backends.LocalFileStore) or not backends.is_public_key(key):
        raise Http404
    try:
        handle = store.public.open(key, "rb")
    except (OSError, SuspiciousFileOperation) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/webp")
    response["Cache-Control"] = backends.PUBLIC_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
