"""The REST API root: one NinjaAPI, with a router per app."""

from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as RequestInvalid
from ninja.security import HttpBearer, django_auth

from loudou.core.schemas import ErrorsOut
from loudou.org.services import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `loudou token USERNAME`."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
            translation.activate(user.language)
        return user


class LoudouAPI(NinjaAPI):
    """Every operation may answer 422 with `ErrorsOut` (a body, a query or a path that does
    not validate), so the schema declares it on every operation."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        ref = {"$ref": "#/components/schemas/ErrorsOut"}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorsOut"] = ErrorsOut.model_json_schema(ref_template=ref["$ref"])
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault(
                    422,
                    {
                        "description": "Unprocessable Content",
                        "content": {"application/json": {"schema": ref}},
                    },
                )
        return schema


#: Swagger UI evaluates code: only its page at /api/docs gets 'unsafe-eval'.
SWAGGER_CSP = {**settings.SECURE_CSP, "script-src": ["'self'", "'unsafe-eval'"]}


def swagger_page_csp(view):
    """ninja decorates the docs page and the schema alike: relax the policy (Django's
    ContentSecurityPolicyMiddleware reads `_csp_config`) on the HTML page only."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.get("Content-Type", "").startswith("text/html"):
            response._csp_config = SWAGGER_CSP
        return response

    return wrapped


api = LoudouAPI(
    title="Loudou API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
    docs_decorator=swagger_page_csp,
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


def _location(loc) -> str:
    """`["body", "payload", "needs", 0, "score"]` → `needs.0.score`; the whole body when
    nothing is left."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["body"]:
        parts = parts[2:]  # "body" and the view's argument name
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(RequestInvalid)
def request_invalid(request, exc):
    """A request that does not fit its schema: the same body as a refused value."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_location(error.get("loc", ())), []).append(str(error.get("msg", "")))
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request, exc):
    """A number the database cannot hold that a schema did not bound (each is a gap to
    close in its schema): refused, never a 500. PostgreSQL aborts the statement only."""
    message = _("数值超出范围。")
    return api.create_response(request, {"errors": {"__all__": [message]}}, status=422)


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
api.add_router("/targets", "loudou.targets.api.router")
api.add_router("/service", "loudou.service.api.router")
api.add_router("/commerce", "loudou.commerce.api.router")
api.add_router("/analytics", "loudou.analytics.api.router")
api.add_router("/health", "loudou.health.api.router")
api.add_router("/teamwork", "loudou.teamwork.api.router")
api.add_router("/compliance", "loudou.compliance.api.router")
