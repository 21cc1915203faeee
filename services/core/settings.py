"""The one settings class read by the API, the workers and the CLI.

Every value comes from the environment (or a `.env` file); bad values fail at start-up, not at the
first request. With nothing set, the embedded default is used: SQLite database and Celery's
SQLAlchemy transport on SQLite files in the data directory.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DB_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")
BROKER_SCHEMES = (
    "sqla+sqlite",
    "sqla+postgresql",
    "sqla+postgresql+psycopg",
    "redis",
    "rediss",
    "amqp",
    "pyamqp",
    "memory",
)


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "posthantering"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        validation_alias=AliasChoices("POSTHANTERING_DATA_DIR", "data_dir"),
    )
    database_url: str = Field(default="", validation_alias=AliasChoices("DATABASE_URL", "database_url"))
    broker_url: str = Field(default="", validation_alias=AliasChoices("BROKER_URL", "broker_url"))

    # Hot folder: scanners write into inbox; done files move to archive, rejected ones to quarantine.
    hot_folder: Path | None = Field(default=None, validation_alias=AliasChoices("POSTHANTERING_HOT_FOLDER"))
    hot_folder_settle_seconds: float = Field(
        default=2.0, ge=0, validation_alias="POSTHANTERING_HOT_FOLDER_SETTLE_SECONDS"
    )
    hot_folder_poll_seconds: float = Field(default=1.0, gt=0, validation_alias="POSTHANTERING_HOT_FOLDER_POLL_SECONDS")

    # Intake limits: anything beyond is rejected with a reason and quarantined.
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, gt=0, validation_alias="POSTHANTERING_MAX_UPLOAD_BYTES")
    max_image_pixels: int = Field(default=120_000_000, gt=0, validation_alias="POSTHANTERING_MAX_IMAGE_PIXELS")
    max_pages: int = Field(default=200, gt=0, validation_alias="POSTHANTERING_MAX_PAGES")

    # OCR
    # "swe" alone: lower CER on å/ä/ö and 16% less CPU than "swe+eng" (bench/ocr_accuracy.py --variants project,swe)
    ocr_languages: str = Field(default="swe", validation_alias="POSTHANTERING_OCR_LANGUAGES")
    ocr_dpi: int = Field(default=300, ge=72, le=600, validation_alias="POSTHANTERING_OCR_DPI")
    # Extra tesseract options (e.g. "--psm 4"); pages read below this mean word confidence flag the item for review.
    ocr_config: str = Field(default="", validation_alias="POSTHANTERING_OCR_CONFIG")
    low_ocr_confidence: float = Field(default=60.0, ge=0, le=100, validation_alias="POSTHANTERING_LOW_OCR_CONFIDENCE")

    # Classification: None means "use the threshold stored with the model".
    model_path: Path | None = Field(default=None, validation_alias="POSTHANTERING_MODEL_PATH")
    auto_route_threshold: float | None = Field(
        default=None, ge=0.0, le=1.0, validation_alias="POSTHANTERING_AUTO_ROUTE_THRESHOLD"
    )

    # Workers and the sweeper
    worker_concurrency: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, validation_alias="POSTHANTERING_WORKER_CONCURRENCY"
    )
    sweep_interval_seconds: float = Field(default=15.0, gt=0, validation_alias="POSTHANTERING_SWEEP_INTERVAL_SECONDS")
    stale_after_seconds: float = Field(default=600.0, gt=0, validation_alias="POSTHANTERING_STALE_AFTER_SECONDS")
    task_soft_time_limit: int = Field(default=600, gt=0, validation_alias="POSTHANTERING_TASK_SOFT_TIME_LIMIT")
    task_time_limit: int = Field(default=900, gt=0, validation_alias="POSTHANTERING_TASK_TIME_LIMIT")
    max_attempts: int = Field(default=5, ge=1, validation_alias="POSTHANTERING_MAX_ATTEMPTS")
    # issue 11: decide a multi-page letter on its first pages when they are decisive (the rest are added).
    early_route: bool = Field(default=True, validation_alias="POSTHANTERING_EARLY_ROUTE")

    # --- issue 10: reliability (leases, lost tasks, supervision, readiness, storage) ---
    # A running task holds a lease renewed every third of this; a lease not renewed means the task was lost.
    task_lease_seconds: float = Field(default=30.0, ge=3, validation_alias="POSTHANTERING_TASK_LEASE_SECONDS")
    # A queued task is taken for lost after this when its queue is empty (the broker lost it).
    lost_after_seconds: float = Field(default=30.0, gt=0, validation_alias="POSTHANTERING_LOST_AFTER_SECONDS")
    worker_heartbeat_seconds: float = Field(
        default=10.0, gt=0, validation_alias="POSTHANTERING_WORKER_HEARTBEAT_SECONDS"
    )
    # serve restarts its worker when work has waited this long without any task starting or finishing.
    worker_stuck_after_seconds: float = Field(
        default=90.0, gt=0, validation_alias="POSTHANTERING_WORKER_STUCK_AFTER_SECONDS"
    )
    supervise_interval_seconds: float = Field(default=2.0, gt=0, validation_alias="POSTHANTERING_SUPERVISE_INTERVAL")
    # Below this free space in the data directory, readiness says 503 and uploads get 507.
    min_free_bytes: int = Field(default=20 * 1024 * 1024, ge=0, validation_alias="POSTHANTERING_MIN_FREE_BYTES")
    # Delivered messages of the embedded (SQLAlchemy) broker are deleted after this.
    broker_cleanup_after_seconds: float = Field(
        default=300.0, gt=0, validation_alias="POSTHANTERING_BROKER_CLEANUP_AFTER_SECONDS"
    )

    # HTTP
    host: str = Field(default="127.0.0.1", validation_alias="POSTHANTERING_HOST")
    port: int = Field(default=8000, ge=1, le=65535, validation_alias="POSTHANTERING_PORT")

    # Web UI sessions: the key signing session cookies and forms; unset = generated once into data_dir/secret_key.
    secret_key: str = Field(default="", validation_alias="POSTHANTERING_SECRET_KEY")
    session_max_age_seconds: int = Field(default=8 * 3600, gt=0, validation_alias="POSTHANTERING_SESSION_MAX_AGE")

    # --- issue 14: the registry's workstation (sessions, discard undo, e-mail notices) ---
    # Sessions end after this much inactivity, and in any case this long after login (the older
    # POSTHANTERING_SESSION_MAX_AGE above); the page warns this many seconds before.
    session_idle_seconds: int = Field(default=30 * 60, gt=0, validation_alias="POSTHANTERING_SESSION_IDLE_SECONDS")
    session_warn_seconds: int = Field(default=120, ge=0, validation_alias="POSTHANTERING_SESSION_WARN_SECONDS")
    discard_restore_days: int = Field(default=30, ge=0, validation_alias="POSTHANTERING_DISCARD_RESTORE_DAYS")
    # E-mail to department staff when mail lands in their inbox (per user: immediate or daily digest).
    smtp_host: str = Field(default="", validation_alias="POSTHANTERING_SMTP_HOST")  # empty: no e-mail is sent
    smtp_port: int = Field(default=25, ge=1, le=65535, validation_alias="POSTHANTERING_SMTP_PORT")
    smtp_user: str = Field(default="", validation_alias="POSTHANTERING_SMTP_USER")
    smtp_password: str = Field(default="", validation_alias="POSTHANTERING_SMTP_PASSWORD")
    smtp_starttls: bool = Field(default=False, validation_alias="POSTHANTERING_SMTP_STARTTLS")
    smtp_from: str = Field(default="posthantering@localhost", validation_alias="POSTHANTERING_SMTP_FROM")
    public_url: str = Field(default="http://localhost:8000", validation_alias="POSTHANTERING_PUBLIC_URL")
    digest_hour: int = Field(default=7, ge=0, le=23, validation_alias="POSTHANTERING_DIGEST_HOUR")
    # How far back the notice sweep looks for routed items still owing someone an e-mail.
    notify_sweep_hours: int = Field(default=24, ge=1, le=24 * 14, validation_alias="POSTHANTERING_NOTIFY_SWEEP_HOURS")
    # --- issue 16: separation of scanned piles into letters ---
    separation_enabled: bool = Field(default=True, validation_alias="POSTHANTERING_SEPARATION_ENABLED")
    # A page with less ink than this share of its area (margins excluded, specks averaged away) and no
    # text is a blank back and is removed (kept with the batch). Blank backs measure 0, one short line ~0.0003.
    separation_blank_ink: float = Field(
        default=0.00005, ge=0, le=0.05, validation_alias="POSTHANTERING_SEPARATION_BLANK_INK"
    )
    # A split decided with less confidence than this sends the pile to a registrar instead of guessing.
    separation_min_confidence: float = Field(
        default=0.85, ge=0.5, le=1.0, validation_alias="POSTHANTERING_SEPARATION_MIN_CONFIDENCE"
    )
    # A file with at most this many content pages is nearly always one letter (an upload, a letter
    # scanned on its own): a later page starts a new letter only on positive evidence of a letter's
    # opening (page "1", a date, an address block, a salutation, a title, a stamp); without it the file
    # stays one letter and is not sent to review. 0 turns this off (every file is read as a pile).
    separation_short_file_pages: int = Field(
        default=3, ge=0, le=20, validation_alias="POSTHANTERING_SEPARATION_SHORT_FILE_PAGES"
    )
    # Channels whose files are split only at separator sheets (blank backs are still removed): one
    # letter per file unless the sender put sheets in. Comma-separated: hotfolder, upload, cli, email.
    # Empty (the default): every channel also splits by content.
    separation_sheets_only_channels: str = Field(
        default="", validation_alias="POSTHANTERING_SEPARATION_SHEETS_ONLY_CHANNELS"
    )
    # --- issue 11: throughput, broker polling, blob backend ---
    # Celery's SQLAlchemy transport (embedded default) polls the broker tables this often when idle;
    # its default of 1 s adds up to a second to every hop. Redis and RabbitMQ push, they do not poll.
    broker_poll_seconds: float = Field(default=0.1, gt=0, le=10, validation_alias="POSTHANTERING_BROKER_POLL_SECONDS")
    # Where originals and derived files (searchable PDF) live: "folder" (data_dir/blobs, the default;
    # several machines need a shared volume) or "postgres" (chunks in the PostgreSQL database, so a
    # worker needs only DATABASE_URL and BROKER_URL; data_dir/blobs is then a local cache).
    blob_backend: Literal["folder", "postgres"] = Field(default="folder", validation_alias="POSTHANTERING_BLOB_BACKEND")
    # On the postgres backend: a host's cached copy unused this long is deleted by the housekeeping task.
    blob_cache_hours: float = Field(default=24, gt=0, le=24 * 365, validation_alias="POSTHANTERING_BLOB_CACHE_HOURS")

    # --- issue 9: security hardening ---
    # Login throttle: after this many failures (per account / per client address) logins are refused with
    # 429 for login_lock_seconds, doubling with every further failure up to login_lock_max_seconds;
    # failures older than login_failure_window_seconds are forgotten.
    login_max_failures: int = Field(default=5, ge=1, validation_alias="POSTHANTERING_LOGIN_MAX_FAILURES")
    login_max_failures_per_address: int = Field(
        default=20, ge=1, validation_alias="POSTHANTERING_LOGIN_MAX_FAILURES_PER_ADDRESS"
    )
    login_lock_seconds: int = Field(default=30, ge=1, validation_alias="POSTHANTERING_LOGIN_LOCK_SECONDS")
    login_lock_max_seconds: int = Field(default=900, ge=1, validation_alias="POSTHANTERING_LOGIN_LOCK_MAX_SECONDS")
    login_failure_window_seconds: int = Field(
        default=900, ge=1, validation_alias="POSTHANTERING_LOGIN_FAILURE_WINDOW_SECONDS"
    )
    # API tokens expire after this many days (0: never).
    api_token_days: int = Field(default=365, ge=0, validation_alias="POSTHANTERING_API_TOKEN_DAYS")
    # The first-start admin's web UI password (used once, when there are no users yet).
    admin_password: str = Field(default="", validation_alias="POSTHANTERING_ADMIN_PASSWORD", repr=False)
    # When set, GET /metrics needs `Authorization: Bearer <this token>`.
    metrics_token: str = Field(default="", validation_alias="POSTHANTERING_METRICS_TOKEN", repr=False)
    # --- end issue 9 ---

    # Logging
    log_level: str = Field(default="INFO", validation_alias="POSTHANTERING_LOG_LEVEL")
    log_json: bool = Field(default=False, validation_alias="POSTHANTERING_LOG_JSON")

    # --- issue 13: ROI projection and the scanner's measured batch time ---
    # A yearly projection only from at least this many days of handled mail; below it is "provisional".
    roi_min_projection_days: int = Field(default=28, ge=1, validation_alias="POSTHANTERING_ROI_MIN_PROJECTION_DAYS")
    # Hot-folder files taken less than this many seconds apart belong to one scanner batch.
    roi_scanner_batch_gap_seconds: float = Field(
        default=120.0, gt=0, validation_alias="POSTHANTERING_ROI_SCANNER_BATCH_GAP_SECONDS"
    )

    # --- issue 12: registration (diarieföring) and export to the diarium ---
    # Local time zone of the authority: arrival dates (FL 22 §) are calendar days there.
    time_zone: str = Field(default="Europe/Stockholm", validation_alias="POSTHANTERING_TIME_ZONE")
    # What a hot-folder scan is, for the arrival date: post | mailbox (previous working day) | email | upload.
    hotfolder_intake_channel: str = Field(default="post", validation_alias="POSTHANTERING_HOTFOLDER_INTAKE_CHANNEL")
    # Per inbox subfolder, "subfolder=channel,..." (e.g. "brevlada=mailbox,epost=email").
    intake_channels: str = Field(default="", validation_alias="POSTHANTERING_INTAKE_CHANNELS")
    # Export auto-routed items without a registrar's confirm (otherwise export happens on confirm).
    registration_auto_export: bool = Field(default=False, validation_alias="POSTHANTERING_REGISTRATION_AUTO_EXPORT")
    # Fields proposed below this confidence are highlighted for the registrar.
    registration_low_confidence: float = Field(
        default=0.8, ge=0, le=1, validation_alias="POSTHANTERING_REGISTRATION_LOW_CONFIDENCE"
    )
    # Connectors to the diarium, comma separated: filedrop, webhook.
    export_connectors: str = Field(default="filedrop", validation_alias="POSTHANTERING_EXPORT_CONNECTORS")
    export_dir: Path | None = Field(default=None, validation_alias="POSTHANTERING_EXPORT_DIR")
    export_webhook_url: str = Field(default="", validation_alias="POSTHANTERING_EXPORT_WEBHOOK_URL")
    export_webhook_secret: str = Field(default="", validation_alias="POSTHANTERING_EXPORT_WEBHOOK_SECRET")
    export_webhook_tries: int = Field(default=4, ge=1, le=20, validation_alias="POSTHANTERING_EXPORT_WEBHOOK_TRIES")
    export_webhook_backoff_seconds: float = Field(
        default=1.0, ge=0, validation_alias="POSTHANTERING_EXPORT_WEBHOOK_BACKOFF_SECONDS"
    )
    export_webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, validation_alias="POSTHANTERING_EXPORT_WEBHOOK_TIMEOUT_SECONDS"
    )
    # A delivery that keeps failing (5xx, timeouts) is given up after this many tries in all, or this many
    # hours after its first try (whichever comes first); a 4xx refusal is given up at once. Between
    # rounds of the periodic task the wait doubles from export_retry_backoff_seconds, at most an hour.
    export_max_attempts: int = Field(default=20, ge=1, le=1000, validation_alias="POSTHANTERING_EXPORT_MAX_ATTEMPTS")
    export_max_age_hours: float = Field(default=48.0, gt=0, validation_alias="POSTHANTERING_EXPORT_MAX_AGE_HOURS")
    export_retry_backoff_seconds: float = Field(
        default=60.0, ge=0, validation_alias="POSTHANTERING_EXPORT_RETRY_BACKOFF_SECONDS"
    )
    # Name of the authority in exports (ERMS control/maintenanceAgency).
    authority_name: str = Field(default="Solvik kommun", validation_alias="POSTHANTERING_AUTHORITY_NAME")
    # --- end issue 12 ---

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.upper()
        if v not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {v!r}")
        return v

    @model_validator(mode="after")
    def _defaults_and_checks(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'posthantering.db'}"
        if not self.broker_url:
            self.broker_url = f"sqla+sqlite:///{self.data_dir / 'broker.db'}"
        db_scheme = self.database_url.split("://", 1)[0]
        if "://" not in self.database_url or db_scheme not in DB_SCHEMES:
            raise ValueError(f"DATABASE_URL must start with one of {', '.join(DB_SCHEMES)}://")
        if self.database_url.startswith("postgresql://"):
            self.database_url = "postgresql+psycopg://" + self.database_url[len("postgresql://") :]
        broker_scheme = self.broker_url.split("://", 1)[0]
        if "://" not in self.broker_url or broker_scheme not in BROKER_SCHEMES:
            raise ValueError(f"BROKER_URL must start with one of {', '.join(BROKER_SCHEMES)}://")
        if self.task_soft_time_limit >= self.task_time_limit:
            raise ValueError("POSTHANTERING_TASK_SOFT_TIME_LIMIT must be below POSTHANTERING_TASK_TIME_LIMIT")
        if self.hot_folder is None:
            self.hot_folder = self.data_dir / "inbox"
        if self.blob_backend == "postgres" and not self.database_url.startswith("postgresql"):
            raise ValueError("POSTHANTERING_BLOB_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
        if self.export_dir is None:
            self.export_dir = self.data_dir / "export"  # issue 12: the file-drop connector's folder
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def archive_dir(self) -> Path:
        assert self.hot_folder is not None
        return self.hot_folder.parent / "archive"

    @property
    def quarantine_dir(self) -> Path:
        assert self.hot_folder is not None
        return self.hot_folder.parent / "quarantine"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    def session_secret(self) -> str:
        """POSTHANTERING_SECRET_KEY, or a key generated once and kept in data_dir/secret_key (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, path)  # first writer wins when several processes start at once
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        return path.read_text().strip()

    def ensure_dirs(self) -> None:
        for d in (
            self.data_dir,
            self.blob_dir,
            self.hot_folder,
            self.archive_dir,
            self.quarantine_dir,
            self.models_dir,
        ):
            assert d is not None
            d.mkdir(parents=True, exist_ok=True)


def restrict_file_modes() -> None:
    """umask 027 or tighter: the database, blobs and derived files are not readable by other users (issue 9)."""
    current = os.umask(0o077)
    os.umask(current | 0o027)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the CLI after changing the environment)."""
    get_settings.cache_clear()
