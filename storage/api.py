"""Upload endpoints: POST/GET /api/uploads, GET/DELETE /api/uploads/<id>, and the local
signed download that stands in for S3's signed URLs when files live on disk."""

from __future__ import annotations

import base64
import binascii
import re

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from traino.api import error_responses
from traino.exceptions import DomainError, InvalidInput, NotFound
from traino.parsers import load_json

from . import backends, services, validation
from .models import Folder, Kind, Status, UserFile
from .permissions import file_for
from .throttling import UploadThrottle


class InvalidBase64(DomainError):
    code = "INVALID_BASE64"
    message = _('The field "file" is not valid base64.')


class UploadJSONParser(BaseParser):
    """JSON read from the request stream rather than ``request.body``.

    DRF's JSONParser goes through ``request.body``, which refuses anything over
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): a base64 photo is larger. The view has already
    bounded the body by UPLOAD_MAX_BYTES (``validation.check_content_length``).
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = load_json(stream.read().decode("utf-8"))
        except ValueError as exc:  # malformed, too deep, or not UTF-8
            raise exceptions.ParseError() from exc
        if not isinstance(data, dict):  # [], null, "x": the view reads named fields
            raise exceptions.ParseError()
        return data


class UserFileSerializer(serializers.ModelSerializer):
    folder = serializers.ChoiceField(choices=Folder.choices)
    kind = serializers.ChoiceField(choices=Kind.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    url_expires_in = serializers.SerializerMethodField()

    class Meta:
        model = UserFile
        fields = [
            "id",
            "folder",
            "kind",
            "status",
            "original_name",
            "content_type",
            "size",
            "width",
            "height",
            "url",
            "thumbnail_url",
            "url_expires_in",
            "failure_reason",
            "verified_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_url(self, file: UserFile) -> str | None:
        return services.file_url(file=file)

    def get_thumbnail_url(self, file: UserFile) -> str | None:
        return services.thumbnail_url(file=file)

    def get_url_expires_in(self, file: UserFile) -> int | None:
        """Seconds a signed URL stays valid; None for public (permanent) URLs."""
        if file.is_public or file.status != "ready":
            return None
        return settings.UPLOAD_SIGNED_URL_EXPIRY


# Standard base64 with its padding, optionally after a data: URL's prefix (the seed's
# frontend sent data: URLs); the schema declares the same pattern.
BASE64_PATTERN = r"^(data:[^,]*,)?([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
_BASE64 = re.compile(BASE64_PATTERN)


def _decode_base64(value: str) -> bytes:
    if not _BASE64.fullmatch(value):
        raise InvalidBase64(fields={"file": [str(InvalidBase64.message)]})
    if value.startswith("data:"):
        value = value.split(",", 1)[1]
    if len(value) // 4 * 3 > settings.UPLOAD_MAX_BYTES + 2:
        validation.check_size(len(value) // 4 * 3)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidBase64(fields={"file": [str(InvalidBase64.message)]}) from exc


FILENAME_MAX_LENGTH = 255


# An empty file part is no file at all to Django's multipart parser (400 EMPTY_FILE).
@extend_schema_field({"type": "string", "format": "binary", "minLength": 1})
class NonEmptyFileField(serializers.FileField):
    pass


class UploadMultipartInput(serializers.Serializer):
    folder = serializers.ChoiceField(choices=Folder.choices)
    file = NonEmptyFileField(
        help_text=f"JPEG, PNG or WebP (any folder) or PDF (certificate, document); at most "
        f"{settings.UPLOAD_MAX_BYTES // 1_048_576} MB."
    )


@extend_schema_field({"type": "string", "pattern": BASE64_PATTERN, "minLength": 1})
class Base64Field(serializers.CharField):
    pass


class UploadBase64Input(serializers.Serializer):
    folder = serializers.ChoiceField(choices=Folder.choices)
    filename = serializers.CharField(max_length=FILENAME_MAX_LENGTH, required=False)
    file = Base64Field(
        min_length=1, help_text="The file in base64, or as a data: URL (data:image/png;base64,...)."
    )


UPLOAD_CODES = {
    400: ["INVALID_FOLDER", "EMPTY_FILE (no file)", "INVALID_BASE64"],
    413: ["FILE_TOO_LARGE"],
    422: ["UNSUPPORTED_FILE_TYPE", "CORRUPT_FILE", "IMAGE_TOO_LARGE", "EMPTY_FILE (0 bytes)"],
}


class UploadListView(APIView):
    """POST stores an upload (multipart "file", or JSON "file" in base64 plus "filename")."""

    parser_classes = [UploadJSONParser, MultiPartParser]
    # The API-wide write limit, plus UPLOADS_PER_HOUR per user (shared with the HTML form).
    throttle_classes = [*APIView.throttle_classes, UploadThrottle]

    def initial(self, request, *args, **kwargs):
        # Before authentication: CSRF checks of session users read multipart bodies.
        if request.method == "POST":
            validation.check_content_length(request.META)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={
            "multipart/form-data": UploadMultipartInput,
            "application/json": UploadBase64Input,
        },
        responses={
            201: UserFileSerializer,
            **error_responses(400, 413, 422, codes=UPLOAD_CODES),
        },
    )
    def post(self, request):
        folder = str(request.data.get("folder", ""))
        validation.check_folder(folder)
        upload = request.data.get("file")
        if hasattr(upload, "read"):
            validation.check_size(upload.size)
            data = upload.read()
            filename = upload.name or ""
        elif isinstance(upload, str) and upload:
            filename = request.data.get("filename", "")
            if not isinstance(filename, str) or len(filename) > FILENAME_MAX_LENGTH:
                message = _("Send the file's name, at most %(max)d characters.") % {
                    "max": FILENAME_MAX_LENGTH
                }
                raise InvalidInput(fields={"filename": [message]})
            data = _decode_base64(upload)
        else:
            raise validation.EmptyFile(fields={"file": [str(validation.EmptyFile.message)]})
        file = services.upload_create(
            user=request.user, folder=folder, filename=filename, data=data
        )
        return Response(UserFileSerializer(file).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="uploads_list",
        responses={200: UserFileSerializer(many=True)},
        description="The caller's files, newest first, at most 200.",
    )
    def get(self, request):
        files = UserFile.objects.filter(user=request.user)
        return Response(UserFileSerializer(files[:200], many=True).data)


class UploadDetailView(APIView):
    """The owner and staff see (with a fresh URL) and delete a file; others get a 404."""

    def _file(self, request, pk: int) -> UserFile:
        return file_for(request.user, pk, staff=True)

    @extend_schema(responses={200: UserFileSerializer})
    def get(self, request, pk: int):
        return Response(UserFileSerializer(self._file(request, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.upload_delete(file=self._file(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UploadDownloadView(APIView):
    """Serves a private file from disk to whoever holds an unexpired signed link."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        store = backends.get_store()
        if not isinstance(store, backends.LocalFileStore):
            raise NotFound()
        try:
            key, data = store.open_signed(request.query_params.get("token", ""))
        except backends.StorageError as exc:
            raise NotFound() from exc
        content_type = "image/webp" if key.endswith(".webp") else "application/pdf"
        response = HttpResponse(data, content_type=content_type)
        response["Cache-Control"] = backends.PRIVATE_CACHE_CONTROL
        response["X-Content-Type-Options"] = "nosniff"
        # Served from our origin: no script, no same-origin access, whatever the file holds.
        response["Content-Security-Policy"] = "sandbox"
        if disposition := services.download_disposition(key):
            response["Content-Disposition"] = disposition
        return response
