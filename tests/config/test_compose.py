"""docker-compose.yml, checked for its structure without a Docker engine: the services exist, their
commands parse with the real gunicorn, celery and manage.py parsers, what is waited on can report
it, the volumes are declared, and every variable is declared where it is read."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from django.core.management import get_commands, load_command_class
from gunicorn.config import Config as GunicornConfig

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DJANGO_SERVICES = {"migrate", "web", "worker", "beat"}
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
READ_BY_GUNICORN = {"WEB_CONCURRENCY"}


def argv(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def commands():
    """(where, argv) for every command and health check of the services."""
    for name, service in SERVICES.items():
        if "command" in service:
            yield name, argv(service["command"])
        test = service.get("healthcheck", {}).get("test")
        if test:
            yield f"{name} healthcheck", argv(test[1]) if test[0] == "CMD-SHELL" else test[1:]


def test_the_services_exist_and_share_one_image():
    assert set(SERVICES) == DJANGO_SERVICES | {"postgres", "redis"}
    assert {SERVICES[name]["image"] for name in DJANGO_SERVICES} == {"luanchuyen:latest"}


def test_long_running_services_have_health_checks_and_dependencies_can_report():
    for name, service in SERVICES.items():
        if name not in {"migrate", "beat"}:  # migrate exits; beat answers no pings
            assert service["healthcheck"]["test"], name
        for dependency, how in service.get("depends_on", {}).items():
            if how["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], f"{name} → {dependency}"
            else:
                assert how["condition"] == "service_completed_successfully"
                assert SERVICES[dependency]["restart"] == "no", f"{name} → {dependency}"


def test_gunicorn_serves_the_projects_wsgi_application():
    options = GunicornConfig().parser().parse_args(argv(SERVICES["web"]["command"])[1:])
    (app_path,) = options.args
    module, _, attribute = app_path.partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))


@pytest.mark.parametrize("where", ["worker", "worker healthcheck", "beat"])
def test_celery_commands_parse_and_load_the_projects_app(where):
    args = dict(commands())[where]
    assert args[:3] == ["celery", "-A", "config"]
    context = CLIContext(app=celery_app, no_color=True, workdir=None, quiet=True)
    group = celery_cli.make_context("celery", args[1:], obj=context)
    subcommand, *rest = args[3:]
    celery_cli.commands[subcommand].make_context(subcommand, rest, parent=group, obj=context)


def test_manage_py_commands_are_real_management_commands():
    found = [args for _, args in commands() if "manage.py" in args]
    assert found
    for args in found:
        name, *options = args[args.index("manage.py") + 1 :]
        parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)
        parser.parse_args(options)  # an unknown option exits with an error


def test_scripts_in_commands_exist():
    scripts = [arg for _, args in commands() for arg in args if arg.endswith(".py")]
    for script in scripts:
        assert (ROOT / script.removeprefix("/app/")).is_file(), script


def test_named_volumes_are_declared_and_used():
    used = {
        volume.split(":")[0]
        for service in SERVICES.values()
        for volume in service.get("volumes", [])
        if not volume.startswith(("/", "."))
    }
    assert used == set(COMPOSE["volumes"])


def test_every_variable_is_declared_where_it_is_read():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    environment = COMPOSE["x-app-environment"]
    for name in environment:
        assert f'("{name}"' in settings_source, f"{name} is not read by config/settings.py"
    for name in SERVICES["web"]["environment"].keys() - environment.keys():
        assert name in READ_BY_GUNICORN, name
    example = (ROOT / "docker" / "env.example").read_text()
    declared = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", example, re.MULTILINE))
    read = set(VARIABLE.findall((ROOT / "docker-compose.yml").read_text()))
    assert read <= declared, sorted(read - declared)
    assert {"SECRET_KEY", "POSTGRES_PASSWORD"} <= read
