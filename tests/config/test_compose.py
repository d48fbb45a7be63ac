"""The container files: docker-compose.yml, Dockerfile and .dockerignore.

No Docker engine runs the tests, so they check what can go wrong without one: every command names
a module, app, management command, option or file that exists; every dependency waits on something
that can report it; every volume is declared; the image installs what the code needs.
"""

import fnmatch
import importlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import dj_database_url
import pytest
import yaml
from celery.app.utils import find_app
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from django.core.management import get_commands, load_command_class
from gunicorn.config import Config as GunicornConfig

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / "docker" / "env.example"

DJANGO_SERVICES = ("migrate", "web", "worker", "beat")
# What a deployer puts in .env; the rest comes from docker/env.example.
TEST_SECRETS = {
    "SECRET_KEY": "Vq3-kT9_xR2mZp7LwN4sJc8YbH1dGf6QeU0aK5nXo-iPrSt_WvCyE2hM",
    "POSTGRES_PASSWORD": "pw-Test_123",
}


# --- Compose variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$ ---

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(Exception):
    pass


def interpolate(value, env):
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match):
        if match.group("escaped"):
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg, current = match.group("op"), match.group("arg"), env.get(name)
        missing = current is None or (current == "" and op and op.startswith(":"))
        if op in (":?", "?") and missing:
            raise MissingVariable(f"{name}: {arg}")
        if op in (":-", "-") and missing:
            return arg
        return current or ""

    return _VARIABLE.sub(replace, value)


def variables_read(text):
    return {m.group("name") or m.group("bare") for m in _VARIABLE.finditer(text)} - {None}


def env_example():
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


@pytest.fixture(scope="module")
def raw_compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def compose_env():
    return {**env_example(), **TEST_SECRETS}


@pytest.fixture(scope="module")
def compose(raw_compose, compose_env):
    return interpolate(raw_compose, compose_env)


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def command_of(service):
    command = service.get("command")
    return shlex.split(command) if isinstance(command, str) else list(command or [])


def healthcheck_command(service):
    test = service["healthcheck"]["test"]
    if isinstance(test, str):
        return shlex.split(test)
    kind, *rest = test
    if kind == "CMD-SHELL":
        return shlex.split(" ".join(rest))
    assert kind == "CMD", f"unknown healthcheck form {kind}"
    return rest


def all_commands(services):
    """(where, argv) for every service command and health check command."""
    for name, service in services.items():
        if service.get("command"):
            yield name, command_of(service)
        if "healthcheck" in service:
            yield f"{name} healthcheck", healthcheck_command(service)


def depends_on(service):
    return service.get("depends_on") or {}


# --- Dockerfile and .dockerignore -------------------------------------------------------------


def dockerfile_instructions():
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            yield instruction.upper(), rest.strip()


def dockerignore_patterns():
    lines = DOCKERIGNORE.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def is_ignored(path, patterns):
    """Whether Docker leaves `path` out of the build context (the last matching pattern wins)."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        for candidate in candidates:
            tails = [candidate]
            if pattern.startswith("**/"):
                bits = candidate.split("/")
                tails = ["/".join(bits[i:]) for i in range(len(bits))]
            if any(fnmatch.fnmatchcase(tail, pattern.removeprefix("**/")) for tail in tails):
                ignored = not negated
                break
    return ignored


def workdir():
    workdirs = [rest for instruction, rest in dockerfile_instructions() if instruction == "WORKDIR"]
    return workdirs[-1]


def project_path_in_image(path):
    """The project file an absolute path in the image points at, or None when it is not ours."""
    prefix = workdir().rstrip("/") + "/"
    return path.removeprefix(prefix) if path.startswith(prefix) else None


# --- Services ---------------------------------------------------------------------------------


def test_it_defines_the_processes_the_system_needs(services):
    assert set(services) == {"migrate", "web", "worker", "beat", "postgres", "redis"}


def test_the_django_services_share_one_image_built_from_the_dockerfile(services):
    images = {services[name]["image"] for name in DJANGO_SERVICES}
    assert len(images) == 1
    for name in DJANGO_SERVICES:
        assert services[name]["build"] in (".", "./")


def test_each_long_running_service_has_a_health_check_but_beat(services):
    for name in ("web", "worker", "postgres", "redis"):
        assert healthcheck_command(services[name]), name
        assert services[name]["restart"] == "unless-stopped", name
    # Beat answers no ping; a crash is handled by the restart policy instead.
    assert "healthcheck" not in services["beat"]
    assert services["beat"]["restart"] == "unless-stopped"


def test_migrate_runs_once_and_is_not_restarted(services):
    assert command_of(services["migrate"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    assert "healthcheck" not in services["migrate"]


def test_every_dependency_waits_on_something_the_dependency_can_report(services):
    for name, service in services.items():
        for target, rule in depends_on(service).items():
            assert target in services, f"{name} depends on unknown {target}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target} health"
            elif rule["condition"] == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{target} must run once"
            else:
                pytest.fail(f"{name} → {target}: unexpected condition {rule['condition']}")


def test_web_and_worker_start_after_migrations_with_postgres_and_redis_healthy(services):
    expected = {
        "migrate": "service_completed_successfully",
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }
    for name in ("web", "worker"):
        conditions = {t: rule["condition"] for t, rule in depends_on(services[name]).items()}
        assert conditions == expected, name
    assert depends_on(services["migrate"]) == {"postgres": {"condition": "service_healthy"}}
    assert depends_on(services["beat"]) == {"redis": {"condition": "service_healthy"}}


# --- Commands name things that exist ---------------------------------------------------------


def test_web_serves_the_projects_wsgi_application_on_the_published_port(services):
    argv = command_of(services["web"])
    assert argv[0] == "gunicorn"
    options = GunicornConfig().parser().parse_args(argv[1:])
    (app_path,) = options.args
    module_name, _, attribute = app_path.partition(":")
    application = getattr(importlib.import_module(module_name), attribute)
    assert callable(application)
    assert app_path == "config.wsgi:application"
    assert options.bind == ["0.0.0.0:8000"]
    assert any(port.endswith(":8000") for port in services["web"]["ports"])


def test_the_images_default_command_is_the_same_gunicorn(services):
    (cmd,) = [rest for instruction, rest in dockerfile_instructions() if instruction == "CMD"]
    argv = yaml.safe_load(cmd)  # The exec form is a JSON array.
    assert argv == ["gunicorn", "config.wsgi:application", "-b", "0.0.0.0:8000"]
    assert command_of(services["web"])[:4] == argv


def test_celery_commands_load_the_projects_app_with_valid_options(services):
    celery_commands = [(w, argv) for w, argv in all_commands(services) if argv[0] == "celery"]
    assert {where for where, _ in celery_commands} == {"worker", "worker healthcheck", "beat"}
    for where, argv in celery_commands:
        assert argv[1:3] == ["-A", "config"], where
        obj = CLIContext(app=celery_app, no_color=True, workdir=None, quiet=True)
        try:
            # Click parses the options the way `celery` will, without running anything.
            group = celery_cli.make_context("celery", argv[1:], obj=obj)
            subcommand, *rest = argv[3:]
            assert subcommand in celery_cli.commands, f"{where}: no celery {subcommand}"
            celery_cli.commands[subcommand].make_context(subcommand, rest, parent=group, obj=obj)
        except click.UsageError as exc:
            pytest.fail(f"{where}: {exc}")
        assert find_app(group.params["app"]) is celery_app, where


def test_the_worker_runs_two_processes_and_its_health_check_pings_that_worker(services):
    argv = command_of(services["worker"])
    assert argv[3:] == ["worker", "--loglevel=info", "--concurrency=2"]
    probe = " ".join(services["worker"]["healthcheck"]["test"][1:])
    # The node name of a worker is celery@<hostname>; $$ keeps the variable for the container.
    assert "inspect ping --destination celery@$HOSTNAME" in probe


def test_beat_keeps_its_schedule_file_in_a_writable_place(services):
    argv = command_of(services["beat"])
    assert argv[3] == "beat"
    assert argv[argv.index("--schedule") + 1].startswith("/tmp/")


def test_manage_py_commands_are_real_management_commands(services):
    found = 0
    for where, argv in all_commands(services):
        if "manage.py" not in argv:
            continue
        name, *options = argv[argv.index("manage.py") + 1 :]
        app_name = get_commands().get(name)
        assert app_name, f"{where}: no management command {name!r}"
        parser = load_command_class(app_name, name).create_parser("manage.py", name)
        parser.parse_args(options)  # An unknown option exits with an error.
        found += 1
    assert found >= 1


def test_script_paths_in_commands_exist_in_the_project_and_in_the_image(services):
    patterns = dockerignore_patterns()
    scripts = []
    for where, argv in all_commands(services):
        for arg in argv:
            if arg.endswith((".py", ".sh")):
                relative = project_path_in_image(arg) if arg.startswith("/") else arg
                assert relative, f"{where}: {arg} is outside {workdir()}"
                assert (ROOT / relative).is_file(), f"{where}: {relative} does not exist"
                assert not is_ignored(relative, patterns), f"{where}: {relative} not in image"
                scripts.append(relative)
    assert "docker/healthcheck.py" in scripts


# --- Volumes and environment -----------------------------------------------------------------


def test_named_volumes_are_declared_and_every_declared_volume_is_used(compose):
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/", "~")):
                used.add(source)
    assert used == set(compose["volumes"])


def test_web_and_worker_share_the_media_volume_at_media_root(services):
    for name in ("web", "worker"):
        assert "media:/data/media" in services[name]["volumes"], name
        assert services[name]["environment"]["MEDIA_ROOT"] == "/data/media", name
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_the_django_services_get_the_same_production_environment(services):
    environments = [services[name]["environment"] for name in DJANGO_SERVICES]
    shared = dict(environments[0])
    for environment in environments:
        assert {k: environment[k] for k in shared} == shared
    assert shared["DEBUG"] == "false"
    assert shared["SECRET_KEY"] == TEST_SECRETS["SECRET_KEY"]
    assert shared["SECURE_COOKIES"] == "true"


def test_the_database_url_points_at_the_postgres_service_and_its_credentials(services):
    database = dj_database_url.parse(services["web"]["environment"]["DATABASE_URL"])
    postgres = services["postgres"]["environment"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "postgres"
    assert database["PORT"] == 5432
    assert database["NAME"] == postgres["POSTGRES_DB"]
    assert database["USER"] == postgres["POSTGRES_USER"]
    assert database["PASSWORD"] == postgres["POSTGRES_PASSWORD"] == "pw-Test_123"
    assert services["postgres"]["image"] == "postgres:15"
    probe = " ".join(services["postgres"]["healthcheck"]["test"][1:])
    assert probe.startswith("pg_isready")


def test_the_redis_url_points_at_the_redis_service_which_keeps_nothing_on_disk(services):
    assert services["web"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert services["redis"]["image"] == "redis:7"
    assert command_of(services["redis"]) == ["redis-server", "--save", "", "--appendonly", "no"]
    assert healthcheck_command(services["redis"]) == ["redis-cli", "ping"]


def test_it_refuses_to_start_without_a_secret_key_or_a_database_password(raw_compose, compose_env):
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        for missing in (
            {k: v for k, v in compose_env.items() if k != name},
            {**compose_env, name: ""},
        ):
            with pytest.raises(MissingVariable, match=name):
                interpolate(raw_compose, missing)


def test_every_variable_it_reads_is_listed_in_env_example():
    read = variables_read(COMPOSE_FILE.read_text())
    assert read <= set(env_example()), sorted(read - set(env_example()))
    assert {"SECRET_KEY", "POSTGRES_PASSWORD"} <= read


def test_the_compose_environment_passes_djangos_deployment_checks(services):
    """Of the security checks only the HTTPS redirect warning remains: TLS ends at the proxy."""
    environment = {key: str(value) for key, value in services["web"]["environment"].items()}
    environment.update(PATH=os.environ["PATH"], DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = set(re.findall(r"\((security\.\w\d+)\)", result.stdout + result.stderr))
    assert found == {"security.W008"}


# --- Dockerfile and build context ------------------------------------------------------------


def test_the_image_is_python_311_on_debian_bookworm():
    froms = [rest for instruction, rest in dockerfile_instructions() if instruction == "FROM"]
    assert froms == ["python:3.11-slim-bookworm"]


def test_every_file_the_dockerfile_copies_exists_and_is_in_the_build_context():
    patterns = dockerignore_patterns()
    copied = []
    installed = []
    for instruction, rest in dockerfile_instructions():
        if instruction in ("COPY", "ADD"):
            *sources, _destination = shlex.split(rest)
            for source in sources:
                if source != ".":
                    assert (ROOT / source).exists(), source
                    assert not is_ignored(source, patterns), source
                    copied.append(source)
        for requirement in re.findall(r"pip install .*?-r (\S+)", rest):
            assert requirement in copied, f"{requirement} is installed before it is copied"
            installed.append(requirement)
    assert installed == ["requirements.txt"]


def test_the_image_installs_the_libraries_weasyprint_needs_as_the_makefile_does():
    makefile = (ROOT / "Makefile").read_text()
    make_packages = set(re.search(r"^APT_PACKAGES := (.*)$", makefile, re.M).group(1).split())
    # poppler-utils is for the PDF tests, gettext for compiling catalogues: neither runs in the image.
    needed = make_packages - {"poppler-utils", "gettext"}
    installs = " ".join(rest for i, rest in dockerfile_instructions() if i == "RUN")
    installed = set(
        re.search(r"apt-get install -y --no-install-recommends ([^&]*)", installs).group(1).split()
    )
    assert needed == installed
    assert {
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-liberation2",
    } <= installed


def test_static_files_are_collected_at_build_time_with_a_throwaway_key():
    runs = [rest for instruction, rest in dockerfile_instructions() if instruction == "RUN"]
    (collect,) = [run for run in runs if "collectstatic" in run]
    assert "SECRET_KEY=" in collect
    assert "manage.py collectstatic --noinput" in collect
    assert "collectstatic" in get_commands()


def test_the_processes_run_as_an_unprivileged_user_that_owns_the_media_directory():
    instructions = list(dockerfile_instructions())
    users = [
        (i, rest) for i, (instruction, rest) in enumerate(instructions) if instruction == "USER"
    ]
    assert users, "no USER instruction"
    position, user = users[-1]
    assert user not in ("root", "0")
    (cmd_position,) = [i for i, (instruction, _) in enumerate(instructions) if instruction == "CMD"]
    assert position < cmd_position
    setup = " ".join(rest for instruction, rest in instructions[:position] if instruction == "RUN")
    assert re.search(rf"useradd .* {user}\b", setup)
    assert re.search(rf"chown {user}:{user} /data/media\b", setup)


def test_the_build_context_leaves_out_local_state_and_secrets_but_keeps_the_code():
    patterns = dockerignore_patterns()
    for path in (
        ".git/config",
        ".venv/bin/python",
        ".env",
        "db.sqlite3",
        "media/x.pdf",
        "staticfiles/app.css",
        "config/__pycache__/settings.cpython-311.pyc",
    ):
        assert is_ignored(path, patterns), path
    for path in (
        "manage.py",
        "requirements.txt",
        "config/settings.py",
        "personnel/models.py",
        "workflow/models.py",
        "documents/models.py",
        "lib/text.py",
        "docker/healthcheck.py",
        "locale/vi/LC_MESSAGES/django.mo",
        "templates/base.html",
        "static/app.css",
    ):
        assert not is_ignored(path, patterns), path
