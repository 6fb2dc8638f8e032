"""``manage.py setuplink``: the setup wizard's one-time link where ``runall`` is not used (docker)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from panel.models import SetupToken
from tickets.models import BotConfig

pytestmark = pytest.mark.django_db


def link(*args: str) -> str:
    out = StringIO()
    call_command("setuplink", *args, stdout=out)
    return out.getvalue().strip()


def test_it_prints_a_link_that_opens_the_wizard_and_replaces_the_previous_one() -> None:
    first = link()
    second = link("--base-url", "https://modmail.example.com/")

    assert first.startswith("http://127.0.0.1:3002/setup/?token=")
    assert second.startswith("https://modmail.example.com/setup/?token=")
    assert SetupToken.objects.count() == 1
    client = Client()
    assert client.get("/setup/?token=" + first.partition("token=")[2]).status_code == 403
    assert client.get("/setup/?token=" + second.partition("token=")[2], follow=True).status_code == 200


@pytest.mark.parametrize(
    "base_url", ["modmail.example.com", "ftp://example.com", "https://x.example/?a=1", ""]
)
def test_a_bad_base_url_is_refused_and_issues_nothing(base_url: str) -> None:
    with pytest.raises(CommandError, match="--base-url"):
        link("--base-url", base_url)
    assert not SetupToken.objects.exists()


def test_once_configured_there_is_no_link() -> None:
    BotConfig.objects.filter(pk=BotConfig.load().pk).update(
        bot_token="a-configured-token", mode_type="single", mode_guild_id=912_000_000_000_000_001
    )

    with pytest.raises(CommandError, match="already configured"):
        link()
    assert not SetupToken.objects.exists()
