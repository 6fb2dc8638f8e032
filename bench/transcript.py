"""Benchmark of ticket transcripts: a 10,000-message ticket in JSON, HTML and text.

Usage (from the repository's root)::

    .venv/bin/python bench/transcript.py                       # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rustmail .venv/bin/python bench/transcript.py

It never touches the configured database: on PostgreSQL it creates a separate one named after it
with ``_transcript_bench`` appended (dropped at the end), on SQLite a temporary file. It migrates,
inserts one ticket with ``--messages`` messages (default 10,000: user and staff turns, every tenth
edited, every fiftieth with an image), then downloads each format through the whole Django stack
(``GET /api/bot/tickets/{id}/transcript`` with an API key holding ReadTickets, the response
streamed piece by piece) and prints, per format: wall and CPU seconds, the bytes written, the
peak of Python memory allocated while it ran (``tracemalloc``, in a second run) and the growth of the
process's resident memory (sampled). For comparison it prints the peak of
merely loading every message row into a list, which a streamed transcript never does, and the
machine's load (``uptime``). Targets: under 2 s and under 100 MB per transcript.

``transcript_figures(ticket_id)`` measures an existing ticket the same way (other benchmarks call
it, e.g. on their own data set); it needs Django set up and a database holding the ticket.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on the path, where bench/statistics.py would hide the
# standard library's: the repository's root takes its place.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
START = datetime(2026, 1, 1, tzinfo=UTC)
USER, STAFF = 740_000_000_000_000_001, 740_000_000_000_000_002
FORMATS = ("json", "html", "txt")
MB = 1024 * 1024


def _bench_database() -> tuple[str, str | None]:
    """The benchmark database's URL, and the PostgreSQL database to drop afterwards (if any)."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        import psycopg

        name = f"{parts.path.lstrip('/') or 'rustmail'}_transcript_bench"
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return urlunsplit(parts._replace(path=f"/{name}")), name
    path = Path(tempfile.mkdtemp(prefix="transcript-bench-")) / "bench.sqlite3"
    return f"sqlite:///{path}", None


def _drop(name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def seed_ticket(messages: int) -> uuid.UUID:
    """One closed ticket with ``messages`` messages; returns its ID."""
    from tickets.models import Attachment, Ticket, TicketMessage

    ticket = Ticket.objects.create(user_id=USER, user_name="Alice", status=Ticket.Status.CLOSED)
    rows = []
    for n in range(messages):
        staff = n % 2 == 1
        rows.append(
            TicketMessage(
                ticket=ticket,
                kind=TicketMessage.Kind.STAFF if staff else TicketMessage.Kind.USER,
                author_id=STAFF if staff else USER,
                author_name="Bob" if staff else "Alice",
                author_role="Support" if staff else "",
                message_number=n // 2 + 1 if staff else None,
                content=f"Message {n}: **hello** see https://example.com/{n} " + "lorem ipsum dolor " * 6,
                created_at=START + timedelta(seconds=n),
                edited_at=START + timedelta(seconds=n, milliseconds=500) if n % 10 == 0 else None,
            )
        )
    TicketMessage.objects.bulk_create(rows, batch_size=2000)
    with_files = TicketMessage.objects.filter(ticket=ticket).order_by("created_at")[::50]
    Attachment.objects.bulk_create(
        Attachment(
            message=m,
            filename=f"shot-{m.pk}.png",
            size=4096,
            content_type="image/png",
            url=f"https://files.example.com/{m.pk}.png",
        )
        for m in with_files
    )
    return ticket.pk


def _rss() -> int:
    """The process's resident memory now (bytes), from /proc."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class RssPeak:
    """The highest resident memory above the starting point while the block runs (sampled every
    5 ms in a thread): what C code (the database driver, nh3) holds too, unlike ``tracemalloc``."""

    def __enter__(self) -> RssPeak:
        self.start = self.peak = _rss()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss())
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / MB


def transcript_figures(
    ticket_id: uuid.UUID | str, formats: tuple[str, ...] = FORMATS
) -> list[dict[str, Any]]:
    """Download the ticket's transcript in each format through the API (an API key holding
    ReadTickets, the streamed response read piece by piece) and return, per format: ``format``,
    ``seconds`` (wall), ``cpu_seconds``, ``bytes``, ``peak_mb`` (Python memory allocated at the peak),
    ``rss_growth_mb`` (the process's resident memory above where it started) and ``rss_mb``."""
    from django.test import Client

    from apikeys.services import apikey_create

    secret = apikey_create(
        name=f"transcript bench {uuid.uuid4().hex[:6]}", permissions=["ReadTickets"]
    ).secret
    client = Client(HTTP_X_API_KEY=secret)

    def download(fmt: str) -> int:
        response = client.get(f"/api/bot/tickets/{ticket_id}/transcript", {"format": fmt})
        assert response.status_code == 200, response.status_code
        return sum(len(piece) for piece in response.streaming_content)

    figures = []
    for fmt in formats:
        # The first download, cold (templates, translations, the key's first use): how much the
        # process grows for it. Then the time of a second one.
        with RssPeak() as rss:
            download(fmt)
        wall, cpu = time.perf_counter(), time.process_time()
        size = download(fmt)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        # Memory in a second run: tracing allocations slows Python down several times.
        tracemalloc.start()
        download(fmt)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        figures.append(
            {
                "format": fmt,
                "seconds": wall,
                "cpu_seconds": cpu,
                "bytes": size,
                "peak_mb": peak / MB,
                "rss_growth_mb": rss.growth_mb,
                "rss_mb": rss.peak / MB,
            }
        )
    return figures


def all_rows_peak_mb(ticket_id: uuid.UUID | str) -> float:
    """Peak Python memory of loading every message of the ticket at once (what streaming avoids)."""
    from tickets.models import TicketMessage

    tracemalloc.start()
    rows = list(TicketMessage.objects.filter(ticket_id=ticket_id).prefetch_related("attachments", "edits"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del rows
    return peak / MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    url, postgres_name = _bench_database()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    try:
        call_command("migrate", verbosity=0)
        ticket_id = seed_ticket(args.messages)
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"transcript of one ticket with {args.messages:,} messages ({engine})")
        print("format  wall s   CPU s  MB out  py peak MB  RSS +MB  RSS MB")
        for row in transcript_figures(ticket_id):
            print(
                f"{row['format']:<6} {row['seconds']:>7.2f} {row['cpu_seconds']:>7.2f} "
                f"{row['bytes'] / MB:>7.2f} {row['peak_mb']:>11.1f} {row['rss_growth_mb']:>8.1f} "
                f"{row['rss_mb']:>7.1f}"
            )
        print(f"loading every row at once instead: peak {all_rows_peak_mb(ticket_id):.1f} MB")
    finally:
        if postgres_name:
            _drop(postgres_name)
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
