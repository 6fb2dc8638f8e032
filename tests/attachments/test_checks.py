"""The system check of the attachment folder, and the settings' bounds."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rustmail.checks import check_attachment_storage


def test_a_writable_folder_passes_and_is_made_when_missing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "new" / "media"
    assert check_attachment_storage() == []
    assert settings.MEDIA_ROOT.is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_that_cannot_be_written_is_an_error(settings, tmp_path):
    tmp_path.chmod(0o500)
    settings.MEDIA_ROOT = tmp_path
    try:
        assert [m.id for m in check_attachment_storage()] == ["rustmail.E020"]
    finally:
        tmp_path.chmod(0o700)


def test_a_file_in_the_way_is_an_error(settings, tmp_path):
    (tmp_path / "media").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "media" / "inside"
    assert [m.id for m in check_attachment_storage()] == ["rustmail.E020"]


def test_an_s3_bucket_is_not_reached_at_startup(settings, tmp_path):
    settings.ATTACHMENTS_S3_BUCKET = "bucket"
    settings.MEDIA_ROOT = tmp_path / "file"
    (tmp_path / "file").write_text("x")
    assert check_attachment_storage() == []


@pytest.mark.parametrize("name,value", [("ATTACHMENT_MAX_BYTES", "0"), ("ATTACHMENT_RETENTION_DAYS", "-1")])
def test_bad_sizes_and_retentions_stop_startup(name, value):
    env = {**os.environ, name: value, "DJANGO_SETTINGS_MODULE": "rustmail.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and name in result.stderr and "rustmail.E002" in result.stderr
