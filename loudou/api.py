"""The REST API root: one NinjaAPI, with a router per app."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from loudou.org.services import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `loudou token USERNAME`."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
            translation.activate(user.language)
        return user


api = NinjaAPI(
    title="Loudou API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}


@api.exception_handler(ValidationError)
def django_validation_error(request, exc):
    return api.create_response(request, {"errors": _messages(exc)}, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


api.add_router("/leads", "loudou.leads.api.router")
api.add_router("/customers", "loudou.customers.api.router")
api.add_router("/contacts", "loudou.customers.api.contacts_router")
api.add_router("/org", "loudou.org.api.router")
api.add_router("/grading", "loudou.leads.api.rules_router")
api.add_router("/pipeline", "loudou.pipeline.api.router")
api.add_router("/activities", "loudou.activities.api.router")
api.add_router("/notifications", "loudou.notifications.api.router")
api.add_router("/imports", "loudou.imports.api.router")
api.add_router("/leads-export", "loudou.imports.api.export_router")
api.add_router("/webforms", "loudou.webforms.api.router")
api.add_router("/assignment", "loudou.assignment.api.router")
api.add_router("/analytics", "loudou.analytics.api.router")
api.add_router("/health", "loudou.health.api.router")
