"""Typed configuration, read from ``BORDEREAU_*`` environment variables.

Nothing happens at import: call :func:`get_settings` (cached) or build
``Settings()`` yourself in tests. With no variable set, everything lives under
one data folder (the *embedded defaults*): SQLite, a local object folder and a
SQLite-backed broker, so ``bordereau serve`` needs no server at all.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "bordereau"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BORDEREAU_", extra="ignore")

    data_dir: Path = Field(DEFAULT_DATA_DIR, description="Root of the embedded defaults")

    # Backends; empty means "embedded default under data_dir".
    database_url: str = ""
    broker_url: str = ""
    s3_endpoint: str = ""
    s3_bucket: str = "bordereau"
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""

    # Database connections per process. The API takes one only for a short transaction, never
    # while it waits on a client, so a process needs about as many as it runs requests at once;
    # a request that waits longer than the timeout for one answers 503 (README, "Sizing").
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=10.0, gt=0)

    # Upload limits (docs/contract.md §8: the service enforces size, pages and pixels).
    max_file_bytes: int = 50 * 1024 * 1024
    max_batch_files: int = 1000
    max_pages: int = 500
    max_image_pixels: int = 50_000_000
    max_archive_entries: int = 1000
    max_archive_expanded_bytes: int = 500 * 1024 * 1024
    max_archive_ratio: int = 100

    # Upload bodies, per API process: how long one may take, the rate it must keep up (after the
    # grace period), and how many may be read at once, in all and per account (README, "Uploads").
    # A body in transit costs a coroutine and a spool file, so the bound in all is for file handles
    # and disk, well above what the clients of a few accounts fill: with 16, twenty senders that
    # trickle (10 accounts, 2 each, within their own bound) kept every other upload out (bench_load).
    # Fairness between clients is the per-account bound's job.
    upload_deadline: float = Field(default=900.0, gt=0)
    upload_min_rate: int = Field(default=8 * 1024, ge=0)
    upload_grace: float = Field(default=15.0, ge=0)
    max_concurrent_uploads: int = Field(default=64, ge=1)
    max_concurrent_uploads_per_account: int = Field(default=4, ge=1)
    # Threads handing uploads to intake at once, per API process, apart from the pool that serves
    # reads (api.uploads.UploadGate). They share the process's interpreter lock with the requests
    # that read: bench_load (50 uploaders, 2 cores) accepted 55 documents/s with 2, 57 with 4 and
    # 66 with 8, while a client listing its batches waited 54, 169 and 546 ms at the median. More
    # pays only where each upload waits long on a remote store or database.
    intake_threads: int = Field(default=2, ge=1, le=64)

    # People's sessions and the brakes on password guessing (docs/contract.md §7, README "Accounts").
    # `cookie_secure`: send cookies over HTTPS only; set it wherever the service is served over TLS.
    session_idle_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=30 * 24)
    cookie_secure: bool = False
    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    login_attempts_per_user: int = Field(default=5, ge=1)
    login_attempts_per_address: int = Field(default=30, ge=1)
    login_lockout_after: int = Field(default=20, ge=1)

    # Worker behaviour.
    task_soft_time_limit: int = 600
    task_time_limit: int = 900
    confirm_timeout: float = 10.0
    # Beat's relay is a safety net: whoever writes outbox rows relays them at once after its commit;
    # beat's round publishes what such a relay could not (the broker was away). Every 2 s it was a
    # third of the idle service's CPU.
    outbox_relay_interval: float = 10.0
    max_attempts: int = 3
    # How long a document's processing keeps retrying while the object store or the database is
    # away, before it is set waiting (ingest.processing.waiting): longer than an ordinary outage.
    transient_retry_horizon: float = Field(default=1800.0, ge=0)
    # Prefix of every queue and exchange name: lets several deployments (or test
    # runs) share one RabbitMQ virtual host without touching each other's queues.
    queue_prefix: str = ""
    # How RabbitMQ keeps our queues: `classic` (the embedded broker, and deployments whose queues
    # already exist: RabbitMQ refuses to redeclare a queue with another type) or `quorum`
    # (replicated; infra/rabbitmq/definitions.json declares them so, and the Kubernetes overlays
    # set it). Quorum mode routes through topic exchanges, which Celery's delayed delivery needs.
    queue_type: Literal["classic", "quorum"] = "classic"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    worker_concurrency: int = 2

    api_url: str = "http://127.0.0.1:8000"

    # Daily flow and bulk archive (docs/contract.md §6).
    bulk_window: int = 200
    dispatch_interval: float = 5.0
    # Added to the niceness of a worker that consumes only the bulk queue: on a host shared with
    # daily workers, the kernel then serves daily work first. 0 leaves it as started.
    bulk_worker_nice: int = Field(default=10, ge=0, le=19)
    sla_margin_hours: float = 6.0

    # Availability probes (docs/contract.md §3): empty base URL means api_url.
    probe_base_url: str = ""
    probe_timeout: float = 10.0

    # Two-year history: the nightly purge, local time in Europe/Paris.
    purge_at: str = "02:30"

    # OCR (Tesseract); the command may be a full path. Engine: auto (tesserocr in process if installed,
    # else the command), tesserocr, or command.
    ocr_engine: str = "auto"
    ocr_command: str = "tesseract"
    ocr_languages: str = "fra"  # the first page's language is detected from this presumption
    ocr_dpi: int = 300
    ocr_page_timeout: float = 60.0

    @model_validator(mode="after")
    def _quorum_needs_its_own_vhost(self) -> Self:
        if self.queue_type != "quorum":
            return self
        if not self.broker_url:
            raise ValueError("quorum queues need RabbitMQ: set BORDEREAU_BROKER_URL, "
                             "or leave BORDEREAU_QUEUE_TYPE at classic for the embedded broker")
        if self.queue_prefix:
            # Celery's delayed-delivery exchanges have fixed names per virtual host: two prefixed
            # deployments in one vhost would each receive the other's delayed tasks.
            raise ValueError("quorum queues take no BORDEREAU_QUEUE_PREFIX: give each deployment "
                             "its own RabbitMQ virtual host instead")
        return self

    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir() / 'bordereau.sqlite3'}"

    def effective_broker_url(self) -> str:
        if self.broker_url:
            return self.broker_url
        return f"sqla+sqlite:///{self.resolved_data_dir() / 'broker.sqlite3'}"

    @property
    def uses_embedded_broker(self) -> bool:
        return not self.broker_url

    def objects_dir(self) -> Path:
        return self.resolved_data_dir() / "objects"

    def resolved_tmp_dir(self) -> Path:
        """Spool for uploads in transit: on the data disk, not in /tmp (often RAM)."""
        path = self.resolved_data_dir() / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
