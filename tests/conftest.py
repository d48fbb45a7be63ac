"""Shared fixtures. Services a test needs are required under CI=true: a missing one fails the
test instead of skipping it."""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, what: str):
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")
    if item.get_closest_marker("redis"):
        require(_redis_reachable(), "Redis (set REDIS_URL)")


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False
