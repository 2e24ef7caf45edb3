"""API errors: Django's validation and permission errors become 400/403 with per-field messages, never 500.

A 404 reads the same whatever was not found (and whether it exists outside the caller's scope or not at all),
and an unexpected error under ``/api/`` answers in JSON like every other API error (``server_error``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, Http404):
        # Django's text names the model ("No Member matches the given query."), in English.
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 page, or for the API a JSON body (the error itself is in the server log)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("服务器出错，已记入服务器日志，请稍后再试")}, status=500)
    return defaults.server_error(request)
