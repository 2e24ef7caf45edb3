"""Apps add their API viewsets here (in their ``api/__init__`` via ``api_route``) so /api/ has one router."""

from __future__ import annotations

from typing import Any

_routes: list[tuple[str, Any, str]] = []


def api_route(prefix: str, basename: str) -> Any:
    def decorate(viewset: Any) -> Any:
        _routes.append((prefix, viewset, basename))
        return viewset

    return decorate


def register_routes(router: Any) -> None:
    from django.apps import apps

    for config in apps.get_app_configs():
        try:
            __import__(f"{config.name}.api.views")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api.views" and exc.name != f"{config.name}.api":
                raise
    for prefix, viewset, basename in _routes:
        router.register(prefix, viewset, basename=basename)
