"""The embedded broker, Celery's SQLAlchemy transport, polled more often than kombu's default.

kombu's virtual transports sleep `polling_interval` (1 s) whenever the queues were empty, so every
hop of an item waited up to a second. The interval cannot go through `broker_transport_options`:
the SQLAlchemy transport passes those to `create_engine`. So the worker uses this subclass, named
by `broker_transport`, with the interval from the settings (POSTHANTERING_BROKER_POLL_SECONDS).
"""

from __future__ import annotations

from kombu.transport.sqlalchemy import Transport as SqlaTransport

TRANSPORT = "workers.broker:PolledSqlaTransport"


class PolledSqlaTransport(SqlaTransport):
    polling_interval = 0.1  # set from the settings by workers.celery_app.make_celery


def polled_sqla(broker_url: str, seconds: float) -> tuple[str, str]:
    """("sqla+sqlite:///…", 0.1) -> ("sqlite:///…", TRANSPORT): the URL kombu hands to SQLAlchemy,
    and the transport to name in `broker_transport`."""
    PolledSqlaTransport.polling_interval = seconds
    return broker_url[len("sqla+") :], TRANSPORT
