"""The Dramatiq setup: Redis when REDIS_URL says so, in-process otherwise."""

import threading

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from tests.support.services import REDIS_TEST_URL, missing
from worker.broker import build_broker


def run_one_message(broker) -> str:
    done, seen = threading.Event(), []

    @dramatiq.actor(broker=broker, queue_name="outreach_test", max_retries=0)
    def greet(name: str) -> None:
        seen.append(f"hello {name}")
        done.set()

    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        greet.send("partner")
        assert done.wait(10), "the message was never processed"
    finally:
        worker.stop()
    return seen[0]


def test_without_redis_url_the_broker_is_in_process(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    broker = build_broker()
    assert isinstance(broker, StubBroker)
    assert run_one_message(broker) == "hello partner"
    broker.close()


def test_with_redis_url_messages_travel_through_redis():
    try:
        redis.Redis.from_url(REDIS_TEST_URL).ping()
    except redis.RedisError as error:
        missing("Redis", str(error))
    broker = build_broker(REDIS_TEST_URL)
    assert isinstance(broker, RedisBroker)
    broker.flush_all()
    assert run_one_message(broker) == "hello partner"
    broker.close()
