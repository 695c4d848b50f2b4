"""Prometheus metrics of one server process, in a registry of its own (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "shkg_requests",
            "HTTP requests by route and status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "shkg_request_seconds",
            "Time to answer a request, by route.",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.timeouts = Counter(
            "shkg_query_timeouts", "Queries cancelled at their timeout.", registry=self.registry
        )
        self.rejections = Counter(
            "shkg_rejections", "Requests refused, by reason.", ["reason"], registry=self.registry
        )
        self.cache = Counter(
            "shkg_result_cache",
            "Result cache look-ups, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.busy_workers = Gauge(
            "shkg_busy_query_workers", "Query workers running a query.", registry=self.registry
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
