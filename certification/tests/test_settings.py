"""The settings refuse to start a production site with development values."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "certification.qgis.org",
    "SITE_URL": "https://certification.qgis.org",
}


def _load_settings(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in GOOD}
    env.pop("DATABASE_URL", None)
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "certification.settings"
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_start_with_real_values() -> None:
    result = _load_settings()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 60}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list"),
        ({"SITE_URL": None}, "SITE_URL"),
        ({"SITE_URL": "certification.qgis.org"}, "SITE_URL"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT='twenty-five' is not a whole number"),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND"),
    ],
)
def test_it_refuses_to_start_with_bad_values(overrides: dict, message: str) -> None:
    result = _load_settings(**overrides)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_debug_is_off_unless_asked_for() -> None:
    result = _load_settings(DEBUG=None)

    assert result.returncode == 0, result.stderr


def test_development_runs_without_secrets_when_debug_is_on() -> None:
    result = _load_settings(DEBUG="true", SECRET_KEY=None, ALLOWED_HOSTS=None, SITE_URL=None)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0"]
