"""One JSON error format for every answer under /api/:

    {"error": {"code": "...", "message": "...", "details": [...]}}

Partner systems parse our errors in code, so a 404 from Django's URL resolver, a 405
from the router, a body too large and an unexpected exception all look the same.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

logger = logging.getLogger(__name__)

_DEFAULT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "server_error",
}
_DEFAULT_MESSAGES = {
    400: "The request could not be read.",
    401: "Send a valid API token: Authorization: Bearer <token>.",
    403: "This token may not do that.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request body is too large.",
    422: "The request is not valid.",
    429: "Too many requests for this token; wait and retry.",
    500: "Something went wrong on our side; the request was not stored. Retry later.",
}


class ApiError(Exception):
    """Raised by views for an answer in the one error format."""

    def __init__(
        self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


def error_response(
    status: int,
    *,
    code: str | None = None,
    message: str | None = None,
    details: Iterable[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    body = {
        "error": {
            "code": code or _DEFAULT_CODES.get(status, "error"),
            "message": message or _DEFAULT_MESSAGES.get(status, "The request failed."),
            "details": [dict(d) for d in details],
        }
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def max_body_bytes() -> int:
    """The largest body the API reads: the upload limit, and never past Django's own."""
    limit: int = settings.HAVEN_MAX_UPLOAD_BYTES
    django_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return min(limit, django_limit) if django_limit is not None else limit


def _too_large(size: int | None = None) -> HttpResponse:
    limit = max_body_bytes()
    sent = f"{size} bytes; " if size is not None else ""
    return error_response(
        413,
        message=f"The request body is too large ({sent}the limit is {limit} bytes). "
        "Send fewer requests per call.",
        details=[{"limit_bytes": limit}],
    )


def _field_path(loc: Iterable[Any]) -> tuple[str, str]:
    parts = list(loc)
    source = str(parts.pop(0)) if parts else ""
    # Ninja puts the view's argument name ("payload") before the body's own fields.
    if source == "body" and parts and parts[0] == "payload":
        parts.pop(0)
    return source, ".".join(str(p) for p in parts)


def _fact_details(source: str, field: str, problems: Iterable[Any]) -> list[dict[str, Any]]:
    """One detail per wrong fact of a `facts` object, each naming its fact."""
    return [
        {
            "field": f"{field}.{fact}" if fact else field,
            "location": source,
            "message": f"{fact}: {message}" if fact else str(message),
            "type": "fact_invalid",
        }
        for fact, message in problems
    ]


def validation_details(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        source, field = _field_path(error.get("loc", ()))
        if error.get("type") == "fact_invalid":
            details.extend(_fact_details(source, field, error.get("ctx", {}).get("problems", ())))
            continue
        message = str(error.get("msg", "Invalid value"))
        if source == "body" and not field and error.get("type") == "missing":
            message = "A JSON request body is required."
        details.append(
            {"field": field, "location": source, "message": message, "type": error.get("type", "")}
        )
    return details


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = validation_details(exc.errors)
    fields = ", ".join(sorted({d["field"] or d["location"] for d in details}))
    return error_response(422, message=f"The request is not valid: {fields}.", details=details)


def _unreadable_body_message(cause: BaseException | None) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return "The request body is not valid UTF-8."
    if isinstance(cause, json.JSONDecodeError):
        return f"Malformed JSON at line {cause.lineno}, column {cause.colno}: {cause.msg}."
    if isinstance(cause, RecursionError):
        return "The JSON is nested too deeply."
    return "The request body could not be read as JSON."


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, RequestDataTooBig):
        return _too_large()
    if isinstance(exc, Throttled):
        # Ninja adds the Retry-After header after this handler.
        return error_response(429)
    if isinstance(exc, AuthenticationError):
        return error_response(401, headers={"WWW-Authenticate": 'Bearer realm="haven"'})
    if exc.status_code == 400 and cause is not None:
        return error_response(400, code="malformed_json", message=_unreadable_body_message(cause))
    return error_response(exc.status_code, message=exc.message)


def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, code=exc.code, message=exc.message, details=exc.details)


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404)


def _on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403)


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with the traceback for us; the client gets no internals.
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500)


def install_handlers(api: NinjaAPI) -> None:
    api.exception_handler(ValidationError)(_on_validation_error)
    api.exception_handler(HttpError)(_on_http_error)
    api.exception_handler(ApiError)(_on_api_error)
    api.exception_handler(Http404)(_on_not_found)
    api.exception_handler(PermissionDenied)(_on_permission_denied)
    api.exception_handler(Exception)(_on_unexpected)


def _is_json(response: HttpResponseBase) -> bool:
    return str(response.get("Content-Type", "")).startswith("application/json")


def _normalise(response: HttpResponseBase) -> HttpResponseBase:
    """Rewrite an error the router answered in its own format (e.g. its 405) into ours."""
    if response.status_code < 400 or _is_json(response):
        return response
    headers = {"Allow": str(response["Allow"])} if response.has_header("Allow") else None
    return error_response(response.status_code, headers=headers)


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def api_boundary(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wraps every view under /api/: refuses oversized bodies before anything reads them,
    and turns whatever escapes the router into the one error format."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        length = _declared_length(request)
        if length is None:
            return error_response(400, message="The Content-Length header is not a number.")
        if length > max_body_bytes():
            return _too_large(length)
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(404)
        except PermissionDenied:
            return error_response(403)
        except Exception as exc:
            return _on_unexpected(request, exc)
        return _normalise(response)

    return wrapped


@api_boundary
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything under /api/ that no route matches."""
    return error_response(404, message=f"There is nothing at {request.path}.")
