"""Attachments in an S3-compatible store: a real S3 server (moto's, in server mode) on 127.0.0.1,
reached over HTTP by django-storages and boto3 exactly as a production bucket would be."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import boto3
import pytest
from django.core.files.storage import storages

from tests.services.conftest import USER
from tickets.models import Attachment, Ticket
from tickets.services import IncomingAttachment
from tickets.services.attachments import attachment_open, thumbnail_open

from .helpers import png

BUCKET = "rustmail-attachments"
CREDENTIALS = {"access_key": "test-access-key", "secret_key": "test-secret-key"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server on a free port, with the bucket made."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    endpoint, client = s3_endpoint
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "location": "rustmail",
                "addressing_style": "path",
                "default_acl": None,
                **CREDENTIALS,
            },
        },
    }
    yield client
    storages._storages.pop("attachments", None)


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_relayed_files_are_stored_once_in_the_bucket_and_read_back(scene, s3_storage):
    image = png(900, 600)
    for n in (1, 2):  # the same picture twice
        url = f"https://cdn.discordapp.com/attachments/1/{n}/shot.png"
        scene.discord.cdn[url] = image
        scene.dm(
            USER, f"picture {n}", attachments=[IncomingAttachment("shot.png", len(image), "image/png", url)]
        )
    stored = list(Attachment.objects.all())
    assert {a.state for a in stored} == {"stored"} and len({a.stored_name for a in stored}) == 1
    assert _keys(s3_storage) == [f"rustmail/{stored[0].stored_name}"]
    copy = scene.discord.channel_messages(Ticket.objects.get().channel_id)[-1]
    assert [f.data for f in copy.files] == [image]
    with attachment_open(stored[0]) as handle:
        assert handle.read() == image
    with thumbnail_open(stored[1]) as thumb:
        assert thumb.read(8) == b"\x89PNG\r\n\x1a\n"
    assert len(_keys(s3_storage)) == 2  # the file and its thumbnail


def test_the_environment_chooses_the_s3_storage():
    env = {
        **os.environ,
        "ATTACHMENTS_S3_BUCKET": BUCKET,
        "ATTACHMENTS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "ATTACHMENTS_S3_REGION": "eu-west-3",
        "ATTACHMENTS_S3_ACCESS_KEY_ID": "id",
        "ATTACHMENTS_S3_SECRET_ACCESS_KEY": "secret",
        "ATTACHMENTS_S3_PREFIX": "files",
        "ATTACHMENTS_S3_ADDRESSING_STYLE": "path",
        "DJANGO_SETTINGS_MODULE": "rustmail.settings",
    }
    code = (
        "from django.conf import settings; import json; print(json.dumps(settings.STORAGES['attachments']))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    storage = json.loads(out.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": BUCKET,
        "endpoint_url": "http://127.0.0.1:9000",
        "region_name": "eu-west-3",
        "access_key": "id",
        "secret_key": "secret",
        "location": "files",
        "addressing_style": "path",
        "default_acl": None,
        "querystring_auth": True,
    }
