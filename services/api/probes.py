"""Health check and Prometheus metrics: HTTP request counter, items per state read at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from services.core.db import session_scope
from services.core.logging import get_logger
from services.mail import service as mail

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
