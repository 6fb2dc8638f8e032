"""Benchmark of the cost of files in the DM relay, in this process, against the in-memory Discord.

Usage (from the repository's root)::

    .venv/bin/python bench/attachments.py            # 200 DMs of each kind
    .venv/bin/python bench/attachments.py --dms 500 --size 4

It works in a temporary database and a temporary attachment folder (never your data). Three kinds
of DMs are relayed, ``--dms`` of each, each user's first DM (which opens the ticket) not measured:
text only; text with a PNG and a PDF of ``--size`` MiB together (downloaded, hashed, stored,
uploaded); and text with the same two files again (identical files: stored once, downloaded and
hashed each time). Printed per kind: CPU time per DM (this process: the relay, the storage, the
in-memory Discord) and SQL statements per DM; then the ratios to text only, the load of the machine
and the CPU time of a fixed reference loop (this shared machine's speed drifts: compare runs only in
proportion to it). Expected: a DM without files costs what it cost before (no statement, no call
added: ``relay_files`` returns at once); with files, the cost grows with their size (hashing and
copying), not with anything else.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.remove(str(Path(__file__).resolve().parent)) if str(
    Path(__file__).resolve().parent
) in sys.path else None
sys.path.insert(0, str(ROOT))


def reference_loop() -> float:
    start = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i % 7
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dms", type=int, default=200)
    parser.add_argument("--size", type=float, default=1.0, help="MiB of each of the two files")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="rustmail-bench-attachments-"))
    os.environ["DATA_DIR"] = str(work)
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from tickets.discord import set_port
    from tickets.discord.fake import FakeDiscord
    from tickets.models import BotConfig
    from tickets.services import IncomingAttachment, user_message_relay

    discord = FakeDiscord()
    guild = 800_000_000_000_000_001
    inbox = discord.add_category(guild, "Inbox")
    cfg = BotConfig.load()
    cfg.mode_guild_id = guild
    cfg.thread_inbox_category_id = inbox
    cfg.save()
    set_port(discord)

    size = int(args.size * 1024 * 1024)
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(size - 8)
    pdf = b"%PDF-1.4\n" + os.urandom(size - 9)

    def files(tag: str) -> list[IncomingAttachment]:
        found = []
        for name, data, kind in (("shot.png", png, "image/png"), ("doc.pdf", pdf, "application/pdf")):
            url = f"https://cdn.discordapp.com/attachments/1/{tag}/{name}"
            discord.cdn[url] = data
            found.append(IncomingAttachment(filename=name, size=len(data), content_type=kind, url=url))
        return found

    users = iter(range(820_000_000_000_000_001, 830_000_000_000_000_000))

    def run(kind: str) -> tuple[float, float]:
        user = next(users)
        discord.add_member(guild, user, f"user{user % 1000}")

        def dm(n: int) -> None:
            sent = discord.user_writes_dm(user, f"message {n}")
            attachments = [] if kind == "text" else files("same" if kind == "same files" else f"{user}-{n}")
            user_message_relay(
                user_id=user,
                user_name="user",
                dm_message_id=sent.id,
                dm_channel_id=sent.channel_id,
                content=sent.content,
                attachments=attachments,
                port=discord,
            )

        dm(-1)  # opens the ticket
        with CaptureQueriesContext(connection) as queries:
            start = time.process_time()
            for n in range(args.dms):
                dm(n)
            cpu = time.process_time() - start
        return cpu / args.dms * 1000, len(queries) / args.dms

    print(f"load before: {os.getloadavg()[0]:.2f}; reference loop: {reference_loop() * 1000:.0f} ms")
    results = {kind: run(kind) for kind in ("text", "two new files", "same files")}
    base_cpu = results["text"][0]
    print(f"{'kind':<16}{'CPU ms/DM':>12}{'SQL/DM':>9}{'CPU ratio':>11}")
    for kind, (cpu, sql) in results.items():
        print(f"{kind:<16}{cpu:>12.2f}{sql:>9.1f}{cpu / base_cpu:>11.2f}")
    after = f"load after: {os.getloadavg()[0]:.2f}; reference loop: {reference_loop() * 1000:.0f} ms"
    print(f"files: 2 x {args.size:g} MiB; {after}")
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
