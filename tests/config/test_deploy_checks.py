"""`check --deploy` refuses settings that must never reach production (issue 10, item 15)."""

from django.core.checks import run_checks


def _demo_mode_errors(*, deploy: bool):
    return [m for m in run_checks(include_deployment_checks=deploy) if m.id == "config.E001"]


def test_check_deploy_refuses_demo_mode(settings):
    settings.DEMO_MODE = True
    [error] = _demo_mode_errors(deploy=True)
    assert error.is_serious()
    assert "DEMO_MODE" in error.msg


def test_check_deploy_is_quiet_without_demo_mode(settings):
    settings.DEMO_MODE = False
    assert _demo_mode_errors(deploy=True) == []


def test_plain_check_leaves_the_demo_alone(settings):
    settings.DEMO_MODE = True
    assert _demo_mode_errors(deploy=False) == []
