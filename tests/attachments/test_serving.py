"""GET /api/attachments/{id} and its thumbnail: stored copies for the readers of their ticket, by
the ticket's category rule; never a public path."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings

from apikeys.services import apikey_create
from tests.api.conftest import (  # noqa: F401  (fixtures)
    SECRET_CATEGORY,
    STAFF_ROLE,
    Permission,
    _api_environment,
    guild,
    login,
)
from tickets.models import Attachment
from tickets.services.attachments import attachment_url, thumbnail_url

from .helpers import png, stored_attachment

PDF = b"%PDF-1.4\n" + b"p" * 2000


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def staff(login):  # noqa: F811
    return login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))


def test_a_reader_gets_the_stored_file_images_inline_others_as_downloads(staff):
    image = stored_attachment(data=png(), filename="shot.png", content_type="image/png")
    document = stored_attachment(data=PDF, filename="notes.pdf", content_type="application/pdf")
    shown = staff.get(attachment_url(image))
    assert shown.status_code == 200 and _body(shown) == png()
    assert shown["Content-Type"] == "image/png" and shown["Content-Disposition"].startswith("inline")
    assert shown["X-Content-Type-Options"] == "nosniff" and "sandbox" in shown["Content-Security-Policy"]
    downloaded = staff.get(attachment_url(document))
    assert _body(downloaded) == PDF
    assert downloaded["Content-Type"] == "application/octet-stream"
    assert downloaded["Content-Disposition"].startswith('attachment; filename="notes.pdf"')


def test_a_thumbnail_is_a_small_png_made_once_per_distinct_image(staff):
    from PIL import Image

    first = stored_attachment(data=png(1600, 900), filename="big.png")
    second = stored_attachment(data=png(1600, 900), filename="same.png")
    response = staff.get(thumbnail_url(first))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(_body(response))) as thumb:
        assert max(thumb.size) <= 320 and thumb.size == (320, 180)
    names = set(
        Attachment.objects.filter(pk__in=[first.pk, second.pk]).values_list("thumbnail_name", flat=True)
    )
    assert len(names) == 1 and names != {""}


def test_a_file_that_is_not_an_image_has_no_thumbnail(staff):
    document = stored_attachment(data=PDF, filename="notes.pdf", content_type="application/pdf")
    assert thumbnail_url(document) is None
    response = staff.get(f"/api/attachments/{document.pk}/thumbnail")
    assert response.status_code == 404 and set(response.json()) == {"error"}


def test_a_broken_image_has_no_thumbnail_but_is_still_served(staff):
    broken = stored_attachment(data=b"\x89PNG not really", filename="broken.png")
    assert staff.get(thumbnail_url(broken)).status_code == 404
    assert _body(staff.get(attachment_url(broken))) == b"\x89PNG not really"


def test_a_ticket_in_a_hidden_category_hides_its_files(staff):
    secret = stored_attachment(data=PDF, filename="secret.pdf", category_id=SECRET_CATEGORY)
    response = staff.get(f"/api/attachments/{secret.pk}")
    assert response.status_code == 403 and set(response.json()) == {"error"}


def test_an_api_key_needs_read_tickets(guild):  # noqa: F811
    from rest_framework.test import APIClient

    document = stored_attachment(data=PDF, filename="notes.pdf", content_type="application/pdf")
    for permissions, status in ((["ReadTickets"], 200), (["CreateTicket"], 403)):
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=apikey_create(name="k", permissions=permissions).secret)
        assert client.get(f"/api/attachments/{document.pk}").status_code == status
    assert APIClient().get(f"/api/attachments/{document.pk}").status_code == 401


def test_a_file_not_stored_has_no_url_and_answers_404(staff):
    document = stored_attachment(data=PDF, filename="gone.pdf")
    Attachment.objects.filter(pk=document.pk).update(state=Attachment.State.FAILED)
    document.refresh_from_db()
    assert attachment_url(document) is None
    response = staff.get(f"/api/attachments/{document.pk}")
    assert response.status_code == 404 and set(response.json()) == {"error"}
    assert staff.get("/api/attachments/999999").status_code == 404


@override_settings(DEBUG=False)
def test_nothing_of_the_storage_is_a_public_path(client, staff):
    document = stored_attachment(data=PDF, filename="notes.pdf")
    for path in (
        f"/media/{document.stored_name}",
        f"/{document.stored_name}",
        f"/static/{document.stored_name}",
    ):
        assert client.get(path).status_code == 404
