"""JSON request bodies read one way everywhere: a body nested too deeply is a malformed
request (400 MALFORMED_REQUEST), never a RecursionError and a 500.

Python's json module recurses once per level, so ``[[[[...]]]]`` a few thousand levels deep
raises RecursionError while decoding; one just under the interpreter's limit decodes, then
fails in whatever walks it next (a serializer, ``json.dumps`` of an idempotent answer).
No request of this API needs more than a few levels, so anything past MAX_JSON_DEPTH is
refused right after decoding.
"""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings

MAX_JSON_DEPTH = 32


class JsonTooDeep(ValueError):
    """The document is nested past MAX_JSON_DEPTH (a ValueError, as json's own errors are)."""


def depth_exceeds(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether containers in ``value`` nest deeper than ``limit``; iterative, so any depth
    that json could decode is measured without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def load_json(data: str | bytes, **kwargs):
    """``json.loads`` whose every refusal is a ValueError: malformed, or nested too deeply."""
    try:
        value = json.loads(data, **kwargs)
    except RecursionError as exc:
        raise JsonTooDeep("The JSON document is nested too deeply.") from exc
    if depth_exceeds(value):
        raise JsonTooDeep(f"The JSON document is nested deeper than {MAX_JSON_DEPTH} levels.")
    return value


def _strict_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser through ``load_json``: too deep is a ParseError like bad syntax.

    DRF reads the request stream itself, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check
    (which only ``request.body`` makes): the limit is applied here, as Django's own
    RequestDataTooBig (413 REQUEST_TOO_LARGE in the API).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        try:
            text = codecs.decode(raw, encoding)
            constant = _strict_constant if api_settings.STRICT_JSON else None
            return load_json(text, parse_constant=constant)
        except ValueError as exc:  # UnicodeDecodeError is one too
            raise ParseError(f"JSON parse error - {exc}") from exc
