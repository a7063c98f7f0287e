"""OpenAPI descriptions of our authentication classes, so /api/docs/ offers a Bearer token field.

drf-spectacular only knows DRF's own classes; without these it warns (check --deploy) and
documents the API as unauthenticated. Loaded from MarketplaceConfig.ready().
"""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /api/auth/token, sent as "
            "`Authorization: Bearer <token>`.",
        }


class CsrfSessionScheme(SessionScheme):
    """Our SessionAuthentication subclass: the same session cookie as DRF's."""

    target_class = "marketplace.authentication.SessionAuthentication"
