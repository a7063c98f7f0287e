"""The OpenAPI schema describes the API exactly: no untyped object in any answer, bounds on
every string a client sends, and every error status the code can raise declared with the
error body's schema.

The last check reads the code: for each operation it walks the view method's source and,
through the functions it calls in the project's own modules (three calls deep), collects
the refusals it can raise (DomainError subclasses and their status, DRF's and Django's
exceptions, ``is_valid(raise_exception=True)``). The schemathesis run (test_schemathesis.py)
checks the same from the outside, by sending requests.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
import textwrap

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.exceptions import APIException

from traino.api import parse_query
from traino.exceptions import DomainError

PROJECT_PACKAGES = ("marketplace", "bookings", "payments", "storage", "traino")
DEPTH = 3
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 415, 422, 429)


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _untyped(schema, node, where: str, seen: set) -> list[str]:
    """Places in ``node`` where an object (or anything) has no declared shape."""
    if isinstance(node, dict) and "$ref" in node:
        name = node["$ref"]
        if name in seen:
            return []
        seen = seen | {name}
    node = _resolve(schema, node)
    if not isinstance(node, dict):
        return [where]
    problems = []
    for key in ("allOf", "oneOf", "anyOf"):
        for index, part in enumerate(node.get(key, [])):
            problems += _untyped(schema, part, f"{where}.{key}[{index}]", seen)
    if any(key in node for key in ("allOf", "oneOf", "anyOf")):
        return problems
    kind = node.get("type")
    if kind is None and "enum" not in node:
        return [f"{where} (no type)"]
    if kind == "object":
        properties = node.get("properties")
        extra = node.get("additionalProperties")
        if not properties and extra in (None, True, {}):
            return [f"{where} (object without properties)"]
        for name, child in (properties or {}).items():
            problems += _untyped(schema, child, f"{where}.{name}", seen)
        if isinstance(extra, dict) and extra:
            problems += _untyped(schema, extra, f"{where}.*", seen)
    if kind == "array":
        if "items" not in node or node["items"] in ({}, None):
            return [f"{where} (array of anything)"]
        problems += _untyped(schema, node["items"], f"{where}[]", seen)
    return problems


def test_no_answer_has_an_untyped_object(schema):
    problems = []
    for path, method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            for media, content in response.get("content", {}).items():
                where = f"{method.upper()} {path} {status} {media}"
                problems += _untyped(schema, content["schema"], where, set())

    assert problems == []


def test_every_error_answer_is_the_error_body(schema):
    wrong = [
        f"{method.upper()} {path} {status}"
        for path, method, operation in _operations(schema)
        for status, response in operation["responses"].items()
        if status.startswith(("4", "5"))
        and response.get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": "#/components/schemas/Error"}
    ]

    assert wrong == []
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert error["required"] == ["code", "fields", "message"]
    assert error["properties"]["fields"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def _unbounded_strings(schema, node, where: str, seen: set) -> list[str]:
    if isinstance(node, dict) and "$ref" in node:
        if node["$ref"] in seen:
            return []
        seen = seen | {node["$ref"]}
    node = _resolve(schema, node)
    problems = []
    for key in ("allOf", "oneOf", "anyOf"):
        for part in node.get(key, []):
            problems += _unbounded_strings(schema, part, where, seen)
    if node.get("type") == "string":
        bounded = {"enum", "pattern", "format", "maxLength"} & set(node)
        if not bounded:
            problems.append(where)
    for name, child in node.get("properties", {}).items():
        if not child.get("readOnly"):
            problems += _unbounded_strings(schema, child, f"{where}.{name}", seen)
    if isinstance(node.get("items"), dict):
        problems += _unbounded_strings(schema, node["items"], f"{where}[]", seen)
    return problems


# Strings a client sends whose only bound is the one the endpoint documents in words.
UNBOUNDED_ON_PURPOSE = {
    # A Stripe event's id, type and account are Stripe's, checked by the signature.
    "POST /api/stripe/webhook body",
}


def test_every_string_a_client_sends_has_a_format_an_enumeration_or_a_length(schema):
    problems = []
    for path, method, operation in _operations(schema):
        label = f"{method.upper()} {path}"
        for parameter in operation.get("parameters", []):
            where = f"{label} {parameter['in']} {parameter['name']}"
            problems += _unbounded_strings(schema, parameter["schema"], where, set())
        if f"{label} body" in UNBOUNDED_ON_PURPOSE:
            continue
        for media, content in operation.get("requestBody", {}).get("content", {}).items():
            problems += _unbounded_strings(schema, content["schema"], f"{label} {media}", set())

    assert problems == []


def test_fixed_values_are_enumerations(schema):
    components = schema["components"]["schemas"]

    assert components["FolderEnum"]["enum"] == ["profile", "gallery", "certificate", "document"]
    booking_status = _resolve(schema, components["BookingOut"]["properties"]["status"])
    assert "confirmed" in booking_status["enum"]
    upload = components["UserFile"]["properties"]
    assert _resolve(schema, upload["status"])["enum"] == ["pending", "ready", "failed"]
    trainers = {p["name"]: p for p in schema["paths"]["/api/trainers"]["get"]["parameters"]}
    assert trainers["format"]["schema"]["enum"] == ["json", "geojson"]
    assert re.fullmatch(trainers["bbox"]["schema"]["pattern"], "17.9,59.2,18.2,59.4")
    assert not re.fullmatch(trainers["bbox"]["schema"]["pattern"], "17.9,59.2,18.2,90.5")
    availability = schema["paths"]["/api/trainers/{id}/availability"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("format") for p in availability} == {
        "id": None,
        "from": "date",
        "to": "date",
    }


# --- the error statuses the code can raise ---------------------------------------------------


def _status_of_class(cls) -> int | None:
    if isinstance(cls, type):
        if issubclass(cls, DomainError):
            return cls.status
        if issubclass(cls, APIException):
            return cls.status_code
        if issubclass(cls, DjangoPermissionDenied):
            return 403
        if issubclass(cls, Http404):
            return 404
        if issubclass(cls, DjangoValidationError):
            return 400
    return None


def _lookup(node, namespace: dict, owner: type | None):
    """The object an expression names: a global, a module's attribute, or self.<method>."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id, getattr(builtins, node.id, None))
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"} and owner:
            return getattr(owner, node.attr, None)
        base = _lookup(node.value, namespace, owner)
        return getattr(base, node.attr, None) if base is not None else None
    return None


def _in_project(function) -> bool:
    module = getattr(function, "__module__", "") or ""
    return module.split(".")[0] in PROJECT_PACKAGES


def raisable_statuses(function, owner: type | None = None, depth: int = DEPTH, seen=None) -> dict:
    """{status: {where it comes from}} for what ``function`` (and the project functions it
    calls) can raise."""
    seen = seen if seen is not None else set()
    function = inspect.unwrap(function)
    if function in seen or not callable(function):
        return {}
    seen.add(function)
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return {}
    namespace = getattr(function, "__globals__", {})
    found: dict[int, set[str]] = {}

    def add(status, origin):
        if status in ERROR_STATUSES:
            found.setdefault(status, set()).add(f"{function.__qualname__}: {origin}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            target = _lookup(node.func, namespace, owner)
            if target is parse_query and node.args:
                # Its refusal's class is the query serializer's (or a field's) error_class.
                query = _lookup(node.args[0], namespace, owner)
                classes = [query.error_class] + [
                    field.error_class
                    for field in query().fields.values()
                    if hasattr(field, "error_class")
                ]
                for error_class in classes:
                    add(error_class.status, f"parse_query: {error_class.__name__}")
                continue
            status = _status_of_class(target)
            if status is not None:
                explicit = next((k.value for k in node.keywords if k.arg == "status"), None)
                if isinstance(explicit, ast.Constant):
                    status = explicit.value
                add(status, target.__name__)
                continue
            raising = any(k.arg == "raise_exception" for k in node.keywords)
            if isinstance(node.func, ast.Attribute) and node.func.attr == "is_valid" and raising:
                add(400, "is_valid(raise_exception=True)")
            callable_here = inspect.isfunction(target) or inspect.ismethod(target)
            if depth > 0 and callable_here and _in_project(target):
                # self.<helper> keeps the view class, so its own self.<x> resolve too.
                same_class = owner is not None and target.__qualname__.startswith(
                    f"{owner.__name__}."
                )
                nested = raisable_statuses(target, owner if same_class else None, depth - 1, seen)
                for status, origins in nested.items():
                    found.setdefault(status, set()).update(origins)
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Name | ast.Attribute):
            target = _lookup(node.exc, namespace, owner)
            status = _status_of_class(target)
            if status is not None:
                add(status, target.__name__)
    return found


def _endpoints():
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        view = callback.cls
        handler = getattr(view, method.lower(), None)
        if handler is None or getattr(getattr(handler, "kwargs", None), "get", lambda *_: 0)(
            "exclude"
        ):
            continue
        yield re.sub(r"\{pk\}", "{id}", path), method.lower(), view, handler


def test_every_error_status_the_code_can_raise_is_declared(schema):
    undeclared = []
    for path, method, view, handler in _endpoints():
        operation = schema["paths"].get(path, {}).get(method)
        if operation is None:
            continue  # excluded from the schema on purpose (extend_schema(exclude=True))
        declared = {int(status) for status in operation["responses"] if status.isdigit()}
        for status, origins in sorted(raisable_statuses(handler, view).items()):
            if status not in declared:
                undeclared.append(f"{method.upper()} {path}: {status} from {sorted(origins)}")

    assert undeclared == []


def test_the_walk_finds_what_a_view_raises():
    """The check above can fail: it sees a refusal raised two calls away."""
    from bookings.api_bookings import BookingCancelView

    statuses = raisable_statuses(BookingCancelView.post, BookingCancelView)

    assert {400, 404, 409} <= set(statuses)
