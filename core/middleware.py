from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
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


def client_address(request: HttpRequest) -> str:
    """The address the request came from.

    Behind ``CHUXIN_PROXY_COUNT`` reverse proxies (nginx …), ``REMOTE_ADDR`` is the nearest proxy's, and each
    proxy appends the address it received from to ``X-Forwarded-For``: the client is the entry that many
    places from the right. Entries further left were written by the client itself and are not trusted.
    Without proxies (the default) the header is ignored, since anyone can send it.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "CHUXIN_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return forwarded[-count] if len(forwarded) >= count else forwarded[0]
