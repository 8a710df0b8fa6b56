"""The one place where the Dramatiq broker is built; nothing connects at import time.

With REDIS_URL set, messages go through Redis and any number of worker processes can take
them. Without it, the embedded default: Dramatiq's in-process stub broker, worked by a
worker thread in the same process. Dramatiq is the transport, not the calendar: what is due
when lives in the database, so losing every message in Redis loses no step.
"""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker


def build_broker(redis_url: str | None = None) -> dramatiq.Broker:
    url = redis_url if redis_url is not None else os.environ.get("REDIS_URL")
    if url:
        return RedisBroker(url=url, namespace="outreach")
    broker = StubBroker()
    broker.emit_after("process_boot")
    return broker


def install(broker: dramatiq.Broker) -> dramatiq.Broker:
    """Make `broker` the one the actors send through (call once, at process start)."""
    dramatiq.set_broker(broker)
    return broker
