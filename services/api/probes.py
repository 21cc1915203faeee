"""Health check and Prometheus metrics: HTTP requests; items per state, queue depth, step durations and
OCR pages, read at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from services.core.db import session_scope
from services.core.logging import get_logger
from services.core.settings import get_settings
from services.export import service as export
from services.mail import service as mail
from services.metering import operations

log = get_logger(__name__)


def check_database() -> bool:
    try:
        with session_scope() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        log.warning("healthz_database_failed", error=str(exc))
        return False


class ItemsPerStateCollector(Collector):
    """Reads the item counts from the database on every scrape (no state kept in the process)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("posthantering_database_up", "1 when the database answered the scrape")
        try:
            with session_scope() as session:
                counts = mail.count_by_state(session)
                exports = export.export_counts(session)
        except Exception as exc:  # noqa: BLE001 - a failed scrape must not 500 the endpoint
            log.warning("metrics_database_failed", error=str(exc))
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        items = GaugeMetricFamily("posthantering_mail_items", "Mail items per state", labels=["state"])
        for state, n in counts.items():
            items.add_metric([state], n)
        yield items
        gauge = GaugeMetricFamily(
            "posthantering_registration_exports",
            "Registration records by export status: pending (waiting or retrying), failed (given up)",
            labels=["status"],
        )
        for status, n in exports.items():
            gauge.add_metric([status], n)
        yield gauge


class OperationsCollector(Collector):
    """Queue depth (from the broker), step durations and pages (from the database), read at scrape time.

    Each part fails on its own: a broker that does not answer within the timeout gives
    posthantering_queue_up 0, never a failed scrape.
    """

    def __init__(self, ocr_window_seconds: int = 300, broker_timeout: float = 1.0) -> None:
        self.window = ocr_window_seconds
        self.broker_timeout = broker_timeout

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily | HistogramMetricFamily]:
        yield from self._queues()
        try:
            with session_scope() as session:
                if session.get_bind().dialect.name == "postgresql":
                    session.execute(text("SET LOCAL statement_timeout = 2000"))
                steps = operations.step_histograms(session)
                pages = operations.pages_by_method(session)
                rate = operations.ocr_pages_per_second(session, self.window)
        except Exception as exc:  # noqa: BLE001 - a failed scrape must not 500 the endpoint
            log.warning("metrics_operations_failed", error=str(exc))
            return
        hist = HistogramMetricFamily(
            "posthantering_step_seconds", "Machine seconds per pipeline step (from events)", labels=["step"]
        )
        for step, h in sorted(steps.items()):
            buckets = [(str(b), c) for b, c in h["buckets"]] + [("+Inf", h["count"])]
            hist.add_metric([step], buckets, h["sum"])
        yield hist
        counter = CounterMetricFamily("posthantering_pages_extracted", "Pages extracted, per method", labels=["method"])
        for method, n in sorted(pages.items()):
            counter.add_metric([method], n)
        yield counter
        gauge = GaugeMetricFamily(
            "posthantering_ocr_pages_per_second",
            f"OCR'd pages of items extracted in the last {self.window} s, divided by {self.window} s",
        )
        gauge.add_metric([], rate)
        yield gauge

    def _queues(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("posthantering_queue_up", "1 when the broker answered the queue-depth query")
        depth: dict[str, int] | None = None
        try:
            depth = operations.queue_depth(get_settings().broker_url, self.broker_timeout)
        except Exception as exc:  # noqa: BLE001 - the broker may be down; the scrape goes on
            log.warning("metrics_queue_depth_failed", error=str(exc))
        up.add_metric([], 0 if depth is None else 1)
        yield up
        if depth is not None:
            gauge = GaugeMetricFamily("posthantering_queue_depth", "Messages waiting in the broker", labels=["queue"])
            for queue, n in depth.items():
                gauge.add_metric([queue], n)
            yield gauge


class Metrics:
    """One registry per app, so several apps (tests) never collide in the global registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "posthantering_http_requests",
            "HTTP requests handled",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "posthantering_http_request_seconds",
            "HTTP request duration",
            ["method", "route"],
            registry=self.registry,
        )
        self.registry.register(ItemsPerStateCollector())
        self.registry.register(OperationsCollector())
