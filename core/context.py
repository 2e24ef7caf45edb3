"""The current request, as far as the change log needs it (who, which request), set by middleware."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestInfo:
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    description: str = ""


_current: ContextVar[RequestInfo | None] = ContextVar("chuxin_request", default=None)


def current_request() -> RequestInfo | None:
    return _current.get()


def set_request(info: RequestInfo | None) -> object:
    return _current.set(info)


def reset_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
