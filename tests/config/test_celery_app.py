"""The Celery app that `celery -A config` loads: its name, and its settings from Django."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.app.utils import find_app
from django.conf import settings

import config
from config.celery import app

ROOT = Path(__file__).resolve().parents[2]

SHOW_CONF = (
    "import json; from config.celery import app; c = app.conf; "
    "print(json.dumps({'broker': c.broker_url, 'eager': c.task_always_eager}))"
)


def conf_in_a_fresh_process(**environment):
    """The app's settings as a new process sees them: REDIS_URL is read when settings load."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", SHOW_CONF],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_app_is_named_after_the_config_package():
    assert app.main == "config"


def test_celery_dash_a_config_finds_this_app():
    assert find_app("config") is app
    assert config.celery_app is app


def test_it_reads_its_settings_from_django_with_the_celery_prefix():
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_acks_late is settings.CELERY_TASK_ACKS_LATE is True
    assert app.conf.worker_prefetch_multiplier == settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert app.conf.timezone == settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_the_broker_follows_redis_url():
    conf = conf_in_a_fresh_process(REDIS_URL="redis://127.0.0.1:6379/9")
    assert conf == {"broker": "redis://127.0.0.1:6379/9", "eager": False}


def test_without_redis_url_tasks_run_in_process():
    assert conf_in_a_fresh_process() == {"broker": "memory://", "eager": True}


@pytest.mark.redis
def test_it_reaches_the_broker_at_redis_url():
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        assert connection.connected
        assert connection.as_uri().startswith("redis://")
