from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.context import RequestInfo, reset_request, set_request


class RequestContextMiddleware:
    """Give each request an id that every change it causes carries in the change log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        info = RequestInfo(description=f"{request.method} {request.path}"[:300])
        request.chuxin_request = info  # type: ignore[attr-defined]
        token = set_request(info)
        try:
            return self.get_response(request)
        finally:
            reset_request(token)
