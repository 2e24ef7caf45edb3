"""The task interface: ``enqueue(kind, user=…, params=…)`` runs registered work in the background.

Backends: ``thread`` (default; a worker thread in the serving process) and ``sync`` (inline, for tests and
commands). Work starts after the enqueuing transaction commits. A running task reports progress with
``ctx.progress(done, total, message)``; progress reported while a transaction is open (where other
connections could not see it, and SQLite could not even write it) is kept in memory and read from there.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone, translation

from core.choices import TaskStatus
from core.models import Task

logger = logging.getLogger(__name__)

TaskFunc = Callable[["TaskContext"], Any]
_registry: dict[str, TaskFunc] = {}
_live: dict[str, tuple[int, int, str]] = {}
_live_lock = threading.Lock()


def register_task(kind: str) -> Callable[[TaskFunc], TaskFunc]:
    def decorate(func: TaskFunc) -> TaskFunc:
        _registry[kind] = func
        return func

    return decorate


@dataclass
class TaskContext:
    task: Task
    _last_write: float = field(default=0.0)

    @property
    def params(self) -> dict[str, Any]:
        return self.task.params

    @property
    def user(self) -> Any:
        return self.task.user

    def progress(self, done: int, total: int, message: str = "") -> None:
        key = str(self.task.pk)
        with _live_lock:
            _live[key] = (done, total, message)
        now = time.monotonic()
        if not connection.in_atomic_block and now - self._last_write > 0.5:
            self._last_write = now
            try:
                Task.objects.filter(pk=self.task.pk).update(
                    progress_done=done, progress_total=total, progress_message=message[:300]
                )
            except OperationalError as exc:
                # SQLite refuses the write when this connection reads a snapshot another writer has moved past
                # (an export's open cursor: at once), or when the lock stays taken beyond the busy timeout.
                # Progress is a courtesy: the figure above stays known to this process and the work goes on.
                # Anything else (a lost connection) is the task's failure.
                if connection.vendor != "sqlite" or "locked" not in str(exc):
                    raise
                logger.info("task %s: progress not stored (%s)", key, exc)


def live_progress(task: Task) -> Task:
    """``task`` with the freshest progress known to this process."""
    with _live_lock:
        live = _live.get(str(task.pk))
    if live and task.status == TaskStatus.RUNNING:
        task.progress_done, task.progress_total, task.progress_message = live
    return task


def enqueue(kind: str, *, user: Any, title: str, params: dict[str, Any] | None = None) -> Task:
    """Queue ``kind``; it runs in the language of whoever queued it (``params["language"]``), so that an
    English user's import reports its errors in English."""
    if kind not in _registry:
        raise KeyError(f"no task registered as {kind!r}")
    params = {"language": translation.get_language() or settings.LANGUAGE_CODE, **(params or {})}
    task = Task.objects.create(kind=kind, title=title[:200], user=user, params=params)
    transaction.on_commit(lambda: _dispatch(task.pk))
    return task


def _dispatch(task_id: Any) -> None:
    if settings.CHUXIN_TASKS == "sync":
        run_task(task_id)
    else:
        threading.Thread(target=_run_in_thread, args=(task_id,), daemon=True, name=f"task-{task_id}").start()


def _run_in_thread(task_id: Any) -> None:
    try:
        run_task(task_id)
    finally:
        close_old_connections()
        connection.close()


def run_task(task_id: Any) -> Task:
    task = Task.objects.select_related("user").get(pk=task_id)
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.RUNNING, started=timezone.now())
    task.status = TaskStatus.RUNNING
    ctx = TaskContext(task)
    try:
        with translation.override((task.params or {}).get("language") or settings.LANGUAGE_CODE):
            result = _registry[task.kind](ctx)
    except Exception as exc:
        logger.exception("task %s failed", task.pk)
        task.status, task.error = TaskStatus.FAILED, f"{exc}\n\n{traceback.format_exc()}"[:10000]
        task.result = getattr(exc, "task_result", None)
    else:
        task.status, task.result = TaskStatus.SUCCEEDED, result
    task.finished = timezone.now()
    with _live_lock:
        live = _live.pop(str(task.pk), None)
    if live:
        task.progress_done, task.progress_total, task.progress_message = live
    task.save(update_fields=["status", "error", "result", "finished", "progress_done", "progress_total",
                             "progress_message"])
    return task


def tasks_for(user: Any) -> Any:
    """Tasks ``user`` may see: their own, or all of them for an administrator."""
    from core.scoping import get_scope

    qs = Task.objects.all()
    return qs if get_scope(user, "change").everything else qs.filter(user=user)
