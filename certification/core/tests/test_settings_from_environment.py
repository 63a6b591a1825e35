"""Settings read from the environment fail loudly on bad payment and map values.

Each case imports the settings in a fresh interpreter with its own environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def load(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STRIPE_", "BANK_", "MAP_", "SELLER_", "CERTIFICATE_"))
    }
    env.update({"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "certification.settings", **environment})
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", f"from certification import settings as s\n{code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"BANK_IBAN": "CH9300762011623852958"}, "is not a valid IBAN"),
        ({"BANK_BIC": "NOTABIC"}, "is not a valid BIC"),
        ({"SELLER_VAT_NUMBER": "CHE-123"}, "is not a valid VAT number"),
        ({"STRIPE_SECRET_KEY": "sk_live_x"}, "without STRIPE_WEBHOOK_SECRET"),
        ({"CERTIFICATE_PRICE_EUR": "20.005"}, "may have at most 2 decimals"),
        ({"CERTIFICATE_PRICE_EUR": "twenty"}, "is not a decimal number"),
        ({"MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png"}, "MAP_TILE_ATTRIBUTION"),
    ],
)
def test_a_bad_value_stops_the_start_with_a_clear_message(environment, message) -> None:
    result = load("", **environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_tile_server_is_allowed_to_serve_the_maps_images() -> None:
    result = load(
        "print(s.SECURE_CSP['img-src'][-1])",
        MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png",
        MAP_TILE_ATTRIBUTION="© Example contributors",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://*.tile.example.org"


def test_the_defaults_are_valid_and_exact() -> None:
    result = load("print(repr(s.CERTIFICATE_PRICE_EUR), repr(s.VAT_RATE_PERCENT))")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Decimal('20.00') Decimal('8.10')"
