"""Production settings: fail fast without a secret, and pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

from tests.conftest import ROOT

# Set by the browser tests for their own process; never part of a deployment.
TEST_ONLY = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def run_manage(*args, env_overrides, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in (*drop, *TEST_ONLY)}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def database_url():
    db = settings.DATABASES["default"]
    return f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_production_without_secret_key_fails_with_a_clear_message():
    result = run_manage(
        "check",
        env_overrides={"DJANGO_SETTINGS_MODULE": "mapping.settings.production"},
        drop=("SECRET_KEY",),
    )
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "mapping.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "carte.example.org",
            "DATABASE_URL": database_url(),
            "DEBUG": "",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_is_not_debug_and_keeps_database_safeguards():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(s.DEBUG, d['CONN_HEALTH_CHECKS'], 'statement_timeout' in d['OPTIONS']['options'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", *TEST_ONLY)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "mapping.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url(),
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["False", "True", "True"], result.stderr


def test_production_without_database_url_says_so():
    result = run_manage(
        "check",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "mapping.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
        },
        drop=("DATABASE_URL",),
    )
    assert result.returncode == 2
    assert "DATABASE_URL is not set" in result.stderr
