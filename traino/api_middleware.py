"""A method an API endpoint does not have is 405 before anything else runs.

DRF checks credentials, permissions and throttles before it looks for the method's handler,
so ``TRACE /api/auth/token`` answered 401 and ``PUT`` on a public endpoint with a stale token
401 too. The method is part of the address: an endpoint that has no such method says so
(405 METHOD_NOT_ALLOWED with ``Allow``), whoever asks.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .errors import is_api_request, json_error


def allowed_methods(view_class) -> list[str]:
    """The methods a DRF view class answers, in DRF's order and spelling of ``Allow``."""
    names = [name for name in view_class.http_method_names if hasattr(view_class, name)]
    if "get" in names and "head" not in names:
        names.insert(names.index("get") + 1, "head")  # Django's View answers HEAD with get
    return [name.upper() for name in view_class.http_method_names if name in names]


class ApiMethodMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)  # set by DRF's APIView.as_view
        if view_class is None or not is_api_request(request):
            return None
        allowed = allowed_methods(view_class)
        if request.method.upper() in allowed:
            return None
        response = json_error(
            request, "METHOD_NOT_ALLOWED", _("This method is not allowed here."), 405
        )
        response["Allow"] = ", ".join(allowed)
        return response
