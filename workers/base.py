"""What every task shares: the retry defaults, and the resources of the process it runs in."""

from __future__ import annotations

import functools
import inspect
import logging
import os
from collections.abc import Callable
from typing import Any, cast

from celery import Task, shared_task
from celery.signals import task_prerun

from ingest.platform import logs
from ingest.platform.broker import REQUEST_ID_HEADER
from ingest.platform.settings import Settings
from ingest.processing.process import TRANSIENT_ERRORS
from ingest.resources import Resources

log = logging.getLogger(__name__)

_resources: tuple[int, Resources] | None = None


def process_resources(task: Task) -> Resources:
    """The resources of this process, built on first use and again after a fork: a database pool
    or a broker connection must never be shared across processes. Workers publish on their own
    app's connections."""
    global _resources
    if _resources is None or _resources[0] != os.getpid():
        settings: Settings = task.app.conf.bordereau_settings
        _resources = (os.getpid(), Resources.from_settings(settings, pre_ping=False, celery=task.app))
    return _resources[1]


def _tag_logs(task_id: str | None = None, task: Task | None = None, **_: object) -> None:
    """Every log line of a task carries its id, and the id of the API request behind its message
    (a header, absent from messages of the previous release); a task about one document sets
    `logs.document_id` itself. Reset at each task: a pool process runs one task after another."""
    logs.task_id.set(task_id)
    header = getattr(task.request, REQUEST_ID_HEADER, None) if task is not None else None
    logs.request_id.set(logs.sane_request_id(header) if isinstance(header, str) else None)
    logs.document_id.set(None)


task_prerun.connect(_tag_logs)


class BordereauTask(Task):  # type: ignore[misc]  # Celery ships no type information
    """Defaults every task shares: transient faults retry with capped backoff
    (well under RabbitMQ's consumer_timeout), nothing else retries."""

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8
    typing = True

    @property
    def settings(self) -> Settings:
        settings: Settings = self.app.conf.bordereau_settings
        return settings

    @property
    def resources(self) -> Resources:
        return process_resources(self)


def task(name: str, **options: Any) -> Callable[[Callable[..., object]], BordereauTask]:
    """The decorator of every task: ``shared_task`` bound to a `BordereauTask` (the function takes it as
    ``self``) and named ``name``, with ``shared_task``'s other ``options``, over the function made
    `tolerant`. Typed once, here: Celery ships no type information, so its own decorator would leave
    every task untyped."""
    decorator = shared_task(bind=True, base=BordereauTask, name=name, **options)
    return cast(Callable[[Callable[..., object]], BordereauTask], lambda fun: decorator(tolerant(fun)))


def tolerant(fun: Callable[..., object]) -> Callable[..., object]:
    """``fun``, run with the keyword arguments it does not know left out (logged).

    During a rolling upgrade old and new workers consume the same queues: a message from the next
    release may carry a keyword argument this one lacks, and Celery would fail the task with a
    TypeError, losing the document's message. A release therefore adds task arguments only as
    keywords with a default, and an older worker runs the task without them (docs/operations.md)."""
    signature = inspect.signature(fun)
    params = signature.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return fun
    known = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}

    @functools.wraps(fun)
    def run(*args: object, **kwargs: object) -> object:
        if unknown := kwargs.keys() - known:
            log.info("%s: left out the arguments it does not know: %s", fun.__name__, ", ".join(sorted(unknown)))
        return fun(*args, **{k: v for k, v in kwargs.items() if k in known})

    # What Celery checks a message against before sending it: the known arguments, and any other keyword.
    unknown_ones = inspect.Parameter("unknown", inspect.Parameter.VAR_KEYWORD)
    run.__signature__ = signature.replace(parameters=[*params, unknown_ones])  # type: ignore[attr-defined]
    return run
