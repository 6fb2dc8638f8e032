"""A malformed environment stops startup with a message naming the variable."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _check(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
    }
    clean.update({"DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "rustmail.settings"})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_defaults_with_debug_pass(tmp_path):
    result = _check(tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "check_id"),
    [
        ("DEBUG", "maybe", "rustmail.E001"),
        ("PORT", "http", "rustmail.E002"),
        ("PORT", "70000", "rustmail.E002"),
        ("DISCORD_CLIENT_ID", "abc", "rustmail.E003"),
        ("DISCORD_CLIENT_ID", "²" * 18, "rustmail.E003"),
        ("DATABASE_URL", "mysql://x", "rustmail.E004"),
        ("REDIS_URL", "localhost:6379", "rustmail.E004"),
        ("DISCORD_API_BASE", "not a url", "rustmail.E004"),
        ("TIME_ZONE", "Mars/Olympus", "rustmail.E005"),
        ("LOG_LEVEL", "LOUD", "rustmail.E009"),
    ],
)
def test_a_malformed_variable_stops_startup_naming_it(tmp_path, variable, value, check_id):
    result = _check(tmp_path, **{"DEBUG": "true", variable: value})
    assert result.returncode != 0
    assert check_id in result.stderr and variable in result.stderr


def test_without_a_secret_key_one_is_generated_once_and_kept(tmp_path):
    first = _check(tmp_path)
    assert first.returncode == 0, first.stderr
    kept = tmp_path / "secret_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    key = kept.read_text().strip()
    assert len(key) >= 50
    assert [line for line in first.stderr.splitlines() if "secret_key" in line] == [
        f"SECRET_KEY is not set: generated one and kept it in {kept} (mode 0600)."
    ]
    again = _check(tmp_path)
    assert again.returncode == 0 and "generated" not in again.stderr
    assert kept.read_text().strip() == key


@pytest.mark.parametrize(
    "key",
    [
        "x" * 50,  # one character repeated
        "too-short-but-random-9f8e7d6c5b4a",
        "django-insecure-" + "k3y-0f-th3-st4rtpr0j3ct-t3mpl4t3-wh1ch-1s-l0ng",
        "rustmail-development-only-secret-key-never-use-in-production",
    ],
)
def test_without_debug_a_weak_secret_key_is_refused(tmp_path, key):
    result = _check(tmp_path, SECRET_KEY=key)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr and "rustmail.E006" in result.stderr
    assert _check(tmp_path, SECRET_KEY=key, DEBUG="true").returncode == 0


# The production configuration the README documents (behind a proxy that terminates TLS).
PRODUCTION = {
    "SECRET_KEY": "Zm9yLXRoZS10ZXN0cy1vbmx5LWEtbG9uZy1yYW5kb20tc2VjcmV0LWtleQ-2f9c81",
    "ALLOWED_HOSTS": "modmail.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://modmail.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def _deploy_check(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "REDIS_URL"}}
    clean.update({"DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "rustmail.settings", **env})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_for_the_documented_production_configuration(tmp_path):
    result = _deploy_check(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_https_settings(tmp_path):
    plain = {k: v for k, v in PRODUCTION.items() if not k.startswith("SECURE_")}
    result = _deploy_check(tmp_path, **plain)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_the_readme_documents_the_production_settings():
    readme = (ROOT / "README.md").read_text()
    for variable in PRODUCTION:
        assert f"`{variable}`" in readme.split("## Operating it")[0], f"{variable} is not in the table"
        assert f"{variable}=" in readme, f"{variable} is not in the production example"


@pytest.mark.parametrize("value", ["X Forwarded Proto", "X-Forwarded-Proto: ", "X-Forwarded-Proto:a b"])
def test_a_malformed_proxy_header_is_refused(tmp_path, value):
    result = _check(tmp_path, DEBUG="true", SECURE_PROXY_SSL_HEADER=value)
    if value == "X-Forwarded-Proto: ":  # an empty value means the usual "https"
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode != 0 and "rustmail.E010" in result.stderr


def test_the_proxy_header_setting_is_djangos_form():
    from rustmail.env import ERRORS, env_proxy_header

    os.environ["RUSTMAIL_TEST_PROXY"] = "X-Forwarded-Proto"
    try:
        assert env_proxy_header("RUSTMAIL_TEST_PROXY") == ("HTTP_X_FORWARDED_PROTO", "https")
        os.environ["RUSTMAIL_TEST_PROXY"] = "X-Scheme: secure"
        assert env_proxy_header("RUSTMAIL_TEST_PROXY") == ("HTTP_X_SCHEME", "secure")
    finally:
        del os.environ["RUSTMAIL_TEST_PROXY"]
    assert not [e for e in ERRORS if e.variable == "RUSTMAIL_TEST_PROXY"]
