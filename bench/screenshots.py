"""Screenshots of every panel page, on demo data: ``make screenshots``.

Usage (from the repository's root, after ``make venv test-deps``; Debian's ``chromium`` package)::

    .venv/bin/python bench/screenshots.py              # every page → data/screenshots/*.png
    .venv/bin/python bench/screenshots.py --only ticket --only tickets
    .venv/bin/python bench/screenshots.py --docs       # also refresh docs/screenshots/ (README)

It starts the product as a newcomer would see it, on a temporary SQLite database in ``data/``
(deleted afterwards, with everything else of the run): the Discord emulator
(``tests/fakediscord``) as Discord with its demo server, the real bot (``manage.py runbot``) and
daphne, each in a process of its own. The database is seeded with demo tickets: conversations
with user messages, numbered staff replies (one anonymous), internal notes, an edit, a deletion,
an attachment, taken, labelled and moved tickets, some closed today, so the dashboard has figures.
Then Debian's Chromium (Playwright) opens every page in the light and dark themes, on a desktop
(1280x800: the first screen, as a visitor sees it) and a phone (390x844: the whole page), and saves
``data/screenshots/<page>-<desktop|phone>-<light|dark>.png``. Requests that leave 127.0.0.1 (Discord's
avatar CDN) are refused, so the pages look as they do offline: initials instead of avatars.

It lives in ``bench/`` beside the other developer tools rather than in a management command: it
needs the test-only emulator and Playwright (``requirements-dev.txt``), which the product never
imports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "data" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
SCHEMES = ("light", "dark")
# The README shows these (desktop, light): docs/screenshots/<name>.png.
DOCS_SHOTS = {"tickets": "tickets-desktop-light", "ticket": "ticket-desktop-light"}


@dataclass(frozen=True)
class Page:
    """One page to photograph: its address, who looks at it, and what must be there first."""

    name: str
    path: str
    who: str  # "visitor", "staff", "member", "outsider", "superuser"
    ready: str  # a CSS selector
    status: int = 200
    until: str = ""  # a JavaScript condition to wait for as well
    click: str = ""  # a CSS selector clicked before the picture (a menu opened)


PAGES = (
    Page("signin", "/", "visitor", "main a, main form"),
    Page(
        "dashboard",
        "/panel",
        "staff",
        "#bot-state[data-state=running]",
        until="/ms$/.test(document.querySelector('#bot-latency').textContent.trim())",
    ),
    Page("tickets", "/panel/tickets", "staff", "#tickets-list tbody tr"),
    Page("ticket", "/panel/tickets/{ticket}", "staff", ".msg-user"),
    Page("menu", "/panel/tickets", "staff", "#tickets-list tbody tr", click=".nav-menu summary"),
    Page("statistics", "/panel/statistics", "staff", "main h1"),
    Page("snippets", "/panel/snippets", "staff", "main h1"),
    Page("configuration", "/panel/configuration", "staff", "main form"),
    Page("categories", "/panel/categories", "staff", "main h1"),
    Page("bans", "/panel/bans", "staff", "main h1"),
    Page("apikeys", "/panel/apikeys", "staff", "main h1"),
    Page("administration", "/panel/administration", "staff", "main h1"),
    Page("profile", "/panel/profile", "staff", "main h1"),
    Page("configuration-history", "/panel/configuration/history", "staff", "main h1"),
    Page("setup", "/setup/", "superuser", "main form"),
    Page("403", "/panel", "member", "main h1", 403),
    Page("404", "/panel/no-such-page", "staff", "main h1", 404),
    Page("not-member", "/panel", "outsider", "main h1", 403),
)

# The demo users who wrote in (name, what it is about); the first one's ticket is the rich one.
PEOPLE = (
    ("Camille Martin", "I was charged twice for my subscription this month."),
    ("Noah Schmidt", "My account got locked after I changed my email address."),
    ("Priya Raman", "Is there a way to export all my data?"),
    ("Lucas Silva", "I'd like to report a user who keeps spamming my DMs."),
    ("Emma Johansson", "The mobile app crashes when I open the settings."),
    ("Yuki Tanaka", "Can I transfer my licence to a new computer?"),
    ("Omar Haddad", "I was banned from #general and I don't know why."),
    ("Sofia Rossi", "The invoice for March has the wrong company name."),
    ("Liam O'Connor", "Two-factor codes never arrive by SMS."),
    ("Mei Chen", "Thanks for the quick fix yesterday!"),
    ("Jonas Weber", "How do I cancel my plan before renewal?"),
    ("Ana García", "The download link in the welcome email is broken."),
    ("Tom Becker", "Can I get the student discount?"),
    ("Fatima Zahra", "A moderator deleted my post, can I get it back?"),
)


def environment(workdir: Path) -> None:
    """This process (and those it starts) on a temporary SQLite database, without Redis."""
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'demo.sqlite3'}"
    os.environ["DATA_DIR"] = str(workdir)
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DISCORD_TOKEN", None)
    os.environ["SECRET_KEY"] = "screenshots-only-secret-key-" + "s" * 32
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "rustmail.settings"


@dataclass
class Demo:
    """What the pages show: the users who look at them, and the ticket with the long conversation."""

    users: dict[str, Any]
    ticket_id: str


def seed(emu: Any) -> Demo:
    """Panel users of every standing, two configuration revisions and the demo tickets."""
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from panel.models import PanelPermission
    from tickets.models import Attachment, BotConfig, MessageEdit, Ticket, TicketChange, TicketMessage
    from tickets.services.config import config_update

    demo = emu.demo
    User = get_user_model()

    def discord_user(discord_id: int, username: str, display: str) -> Any:
        user = User.objects.create(username=f"{username}-{discord_id}")
        SocialAccount.objects.create(
            user=user,
            provider="discord",
            uid=str(discord_id),
            extra_data={"id": str(discord_id), "username": username, "global_name": display},
        )
        return user

    staff = discord_user(demo.staff_id, "staffmember", "Sam Staff")
    for permission in (
        "ViewPanel",
        "ManageTickets",
        "ManageBot",
        "ManageConfig",
        "ViewBans",
        "ManageApiKeys",
        "ManagePermissions",
        "ManageCategories",
    ):
        PanelPermission.objects.create(
            subject_type=PanelPermission.SubjectType.USER,
            subject_id=demo.staff_id,
            permission=permission,
            granted_by=demo.owner_id,
        )
    superuser = User.objects.create_superuser("admin", "admin@example.com", "a-demo-only-password")
    users = {
        "visitor": None,
        "staff": staff,
        "member": discord_user(demo.user_ids[0], "alice", "Alice"),  # in the server, no grant
        "outsider": discord_user(913_000_000_000_000_001, "stranger", "Stranger"),  # not in the server
        "superuser": superuser,
    }

    # Discord login configured (the emulator's OAuth application), as after the setup wizard.
    cfg = BotConfig.load()
    cfg.bot_client_id = emu.application_id
    cfg.bot_client_secret = emu.client_secret
    cfg.save()
    for saved_by, data in (
        (str(demo.admin_id), {"bot": {"welcome_message": "Hi! A member of the staff will answer you soon."}}),
        (
            str(demo.staff_id),
            {"bot": {"status": "DM me for help"}, "thread": {"user_message_color": "5865f2"}},
        ),
    ):
        config_update(data=data, saved_by=saved_by)

    now = timezone.now()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    # Today's tickets fit in today, whatever the hour: opened within the day so far.
    today = max(now - day_start, timedelta(minutes=40))
    staff_names = {demo.staff_id: "Sam Staff", demo.admin_id: "Ada Admin"}
    inbox, inbox_name = demo.inbox_category_id, "Inbox"
    first_user = 912_000_000_000_000_001
    rich = None
    for n, (name, opening) in enumerate(PEOPLE):
        opened = now - (today * (0.9 - n * 0.06) if n < 8 else timedelta(days=n - 6, hours=n))
        closed = n in (3, 9, 11, 12)
        ticket = Ticket.objects.create(
            user_id=first_user + n,
            user_name=name,
            channel_id=None if closed else 914_000_000_000_000_001 + n,
            guild_id=demo.guild_id,
            category_id=inbox,
            category_name=inbox_name,
            status=Ticket.Status.CLOSED if closed else Ticket.Status.OPEN,
            taken_by=demo.staff_id if n in (0, 2, 5) else (demo.admin_id if n == 7 else None),
            label={0: "billing", 7: "billing", 4: "bug"}.get(n, ""),
        )
        Ticket.objects.filter(pk=ticket.pk).update(created_at=opened)
        script = conversation(n, name, opening)
        at = opened
        number = 0
        last_kind = "user"
        for step, (kind, author, text) in enumerate(script):
            at = at + timedelta(minutes=3 + (step * 7) % 11)
            if at > now:
                at = now - timedelta(seconds=30 * (len(script) - step))
            staff_id = demo.staff_id if author == "sam" else demo.admin_id
            if kind == "staff":
                number += 1
            message = TicketMessage.objects.create(
                ticket=ticket,
                kind=kind,
                author_id=ticket.user_id if kind == "user" else staff_id,
                author_name=name if kind == "user" else staff_names[staff_id],
                author_role="" if kind == "user" else ("Support" if author == "sam" else "Admin"),
                message_number=number if kind == "staff" else None,
                is_internal=kind == "internal",
                is_anonymous=kind == "staff" and n == 0 and number == 2,
                content=text,
                created_at=at,
            )
            if kind in ("user", "staff"):
                last_kind = kind
            if n == 0 and step == 2:
                MessageEdit.objects.create(
                    message=message, before="Here it is.", after=text, edited_by=ticket.user_id
                )
                TicketMessage.objects.filter(pk=message.pk).update(edited_at=at + timedelta(minutes=1))
                Attachment.objects.create(
                    message=message,
                    filename="receipt-2025-03.pdf",
                    size=48_213,
                    content_type="application/pdf",
                    url="https://cdn.discordapp.com/attachments/1/2/receipt-2025-03.pdf",
                )
            if n == 0 and step == 6:
                TicketMessage.objects.filter(pk=message.pk).update(deleted_at=at + timedelta(minutes=2))
            if n == 0 and step == 1:
                for kind_, detail in ((TicketChange.Kind.TAKEN, ""), (TicketChange.Kind.LABELLED, "billing")):
                    change = TicketChange.objects.create(
                        ticket=ticket, kind=kind_, actor_id=demo.staff_id, detail=detail
                    )
                    TicketChange.objects.filter(pk=change.pk).update(at=at - timedelta(seconds=20))
        fields = {
            "last_message_at": at,
            "last_message_by": last_kind,
            "next_message_number": number + 1,
        }
        if closed:
            fields.update(closed_at=min(at + timedelta(minutes=5), now), closed_by=str(demo.staff_id))
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
        if n == 0:
            rich = ticket
    assert rich is not None
    # The demo's replies are written directly, not through the reply service: derive their first
    # responses as the service would have (the statistics read them).
    from tickets.services.first_response import refresh_first_responses

    refresh_first_responses(Ticket.objects.all())
    return Demo(users=users, ticket_id=str(rich.pk))


def conversation(n: int, name: str, opening: str) -> list[tuple[str, str, str]]:
    """(kind, author, text) of ticket ``n``: the first one long and varied, the others short."""
    first = name.split()[0]
    if n == 0:
        return [
            ("user", "", f"Hi! {opening} Could you have a look?"),
            (
                "staff",
                "sam",
                f"Hello {first}, sorry about that. Could you send me the receipt of both charges?",
            ),
            ("user", "", "Here it is: the second one is dated the 3rd, a minute after the first."),
            (
                "internal",
                "sam",
                "Billing confirms a duplicate charge from the payment retry bug. Refund approved.",
            ),
            (
                "staff",
                "sam",
                "Thanks! We refunded the second charge: you will see it in 3 to 5 working days.",
            ),
            ("user", "", "Great, thank you so much for the quick answer!"),
            ("user", "", "Oh, and will this happen again next month?"),
            ("staff", "ada", "It should not: the retry bug was fixed this morning. Tell us if it does."),
            ("user", "", "Perfect, have a nice day!"),
        ]
    lines = [("user", "", opening)]
    if n % 4 != 1:
        lines.append(
            ("staff", "sam" if n % 3 else "ada", f"Hi {first}, thanks for reaching out. Let me check.")
        )
    if n % 3 == 0:
        lines.append(("internal", "sam", "Asked the product team; waiting for their answer."))
    if n % 2 == 0:
        lines.append(("user", "", "Thanks, I'll wait."))
    return lines


def session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def photograph(
    server_url: str,
    demo: Demo,
    pages: tuple[Page, ...],
    out: Path,
    log: Callable[[str], None],
    language: str = "en",
) -> list[Path]:
    """Every page × theme × device through Debian's Chromium; returns the files written."""
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from tests.panel.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE

    cookies = {who: session_cookie(user) for who, user in demo.users.items() if user is not None}
    written = []
    # Playwright's sync API runs an event loop in this thread, which Django takes for async code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for scheme in SCHEMES:
                for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                    context = browser.new_context(
                        base_url=server_url,
                        viewport=viewport,
                        color_scheme=scheme,
                        locale=language,
                        extra_http_headers={"Accept-Language": f"{language};q=1.0"},
                        is_mobile=device == "phone",
                        has_touch=device == "phone",
                        device_scale_factor=1,
                    )
                    context.route(
                        "**/*",
                        lambda route: (
                            route.continue_()
                            if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1"))
                            else route.abort()
                        ),
                    )
                    try:
                        for page_spec in pages:
                            page = context.new_page()
                            context.clear_cookies()
                            if page_spec.who in cookies:
                                context.add_cookies(
                                    [
                                        {
                                            "name": settings.SESSION_COOKIE_NAME,
                                            "value": cookies[page_spec.who],
                                            "url": server_url,
                                        }
                                    ]
                                )
                            path = page_spec.path.format(ticket=demo.ticket_id)
                            response = page.goto(path)
                            status = response.status if response else 0
                            if status != page_spec.status:
                                raise RuntimeError(
                                    f"{path} as {page_spec.who}: {status}, not {page_spec.status}"
                                )
                            page.locator(page_spec.ready).first.wait_for(timeout=20_000)
                            if page_spec.until:
                                page.wait_for_function(page_spec.until, timeout=20_000)
                            if page_spec.click:
                                page.locator(page_spec.click).first.click()
                            page.wait_for_timeout(400)  # htmx settles, fonts are drawn
                            suffix = "" if language == "en" else f"-{language}"
                            file = out / f"{page_spec.name}-{device}-{scheme}{suffix}.png"
                            page.screenshot(path=str(file), full_page=device == "phone")
                            written.append(file)
                            log(f"  {file}")
                            page.close()
                    finally:
                        context.close()
        finally:
            browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=[p.name for p in PAGES], help="Only this page.")
    parser.add_argument("--docs", action="store_true", help="Also copy the README's screenshots to docs/.")
    parser.add_argument("--out", type=Path, default=OUT, help="Where the PNG files go.")
    parser.add_argument(
        "--language", default="en", choices=["en", "fr"], help="The interface language (file names get -fr)."
    )
    options = parser.parse_args()
    pages = tuple(p for p in PAGES if not options.only or p.name in options.only)

    (ROOT / "data").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="screenshots-", dir=ROOT / "data"))
    environment(workdir)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from tests.fakediscord.fixtures import make_emulator
    from tests.fakediscord.thread import FakeDiscordThread
    from tests.panel.conftest import start_panel_server
    from tests.panel.test_browser_tickets import configure_for_demo, start_bot, stop

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    started = time.monotonic()
    print(f"demo database in {workdir.relative_to(ROOT)}")
    call_command("migrate", verbosity=0)
    # Discord's own heartbeat interval, so the dashboard shows the latency of a quiet gateway.
    emu = FakeDiscordThread(make_emulator(heartbeat_interval_ms=41250)).start()
    bot = server = None
    try:
        configure_for_demo(emu)
        bot = start_bot(emu, workdir / "bot.log")
        demo = seed(emu)
        server = start_panel_server(emu.api_base, {"PANEL_ACCESS_CACHE_SECONDS": "0"})
        options.out.mkdir(parents=True, exist_ok=True)
        print(f"photographing {len(pages)} page(s) x {len(SCHEMES)} themes x 2 devices into {options.out}")
        written = photograph(server.url, demo, pages, options.out, print, options.language)
        if options.docs:
            DOCS.mkdir(parents=True, exist_ok=True)
            for name, shot in DOCS_SHOTS.items():
                source = options.out / f"{shot}.png"
                if source.exists():
                    shutil.copyfile(source, DOCS / f"{name}.png")
                    print(f"  {(DOCS / f'{name}.png').relative_to(ROOT)}")
        print(f"{len(written)} screenshots in {time.monotonic() - started:.0f} s")
    finally:
        if server is not None:
            server.stop()
        if bot is not None:
            stop(bot)
        emu.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
