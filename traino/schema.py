"""The project's drf-spectacular AutoSchema: error answers implied by a view's configuration
are declared from that configuration, so no operation can forget them.

A view declares the errors of its own logic with ``traino.api.error_responses`` (409 for a
conflict, 403 for an object that is someone else's ...). What the machinery around it can
answer is added here, from the same classes that produce those answers:

- 400 MALFORMED_REQUEST / VALIDATION_ERROR and 415 when the operation reads a request body
  through DRF's parsers (a view that reads ``request.body`` itself says ``parses_body = False``);
- 401 when authenticators run (a wrong or expired token is refused even where anonymous
  callers are allowed);
- 403 CSRF_FAILED for unsafe methods under session authentication;
- 404 when the path has a parameter (no such object);
- 429 with Retry-After when a throttle counts this method.

Optional query parameters are marked ``allowEmptyValue``: empty is the same as absent.
"""

from __future__ import annotations

from drf_spectacular import openapi
from rest_framework.authentication import SessionAuthentication

from .api import error_response

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

RETRY_AFTER_HEADER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before trying again.",
    }
}


def throttle_counts(throttle, method: str) -> bool:
    """Whether ``throttle`` counts requests of ``method`` (ours say which; DRF's count all)."""
    methods = getattr(throttle, "methods", None)
    # django-ratelimit's ALL is (None,)
    return methods is None or None in methods or method in methods


def implied_error_statuses(view, method: str, path: str, *, has_body: bool) -> set[int]:
    statuses: set[int] = set()
    if has_body:
        statuses |= {400, 415}
    authenticators = view.get_authenticators()
    if authenticators:
        statuses.add(401)
    if method in UNSAFE_METHODS and any(
        isinstance(a, SessionAuthentication) for a in authenticators
    ):
        statuses.add(403)
    if "{" in path:
        statuses.add(404)
    if any(throttle_counts(t, method) for t in view.get_throttles()):
        statuses.add(429)
    return statuses


class AutoSchema(openapi.AutoSchema):
    def _get_parameters(self):
        # An optional query parameter sent empty ("?status=") is the same as not sent
        # (traino.api.parse_query), which OpenAPI says with allowEmptyValue.
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        has_body = (
            self.method in {"POST", "PUT", "PATCH"}
            and getattr(self.view, "parses_body", True)
            and bool(self._get_request_body())
        )
        implied = implied_error_statuses(self.view, self.method, self.path, has_body=has_body)
        for status in sorted(implied):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    error_response(status), str(status), direction=direction
                )
        if "429" in responses:
            headers = responses["429"].setdefault("headers", {})
            headers.update(RETRY_AFTER_HEADER)
        return responses
