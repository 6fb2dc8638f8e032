"""Running scheduled jobs (``tickets.models.scheduling.Job``) exactly once, with retries.

- A due job is claimed before it runs: one by a conditional update, a batch under
  ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL) or inside one write transaction (SQLite takes
  its write lock at BEGIN, see ``rustmail.settings``). Two workers, two threads or a replayed task
  therefore never run a job twice.
- A run that raises goes back to pending with its error recorded and a later due time (30 s, then
  doubling up to an hour). After ``MAX_ATTEMPTS`` runs it is failed: kept with its last error, and an
  admin setting it back to pending retries it.
- A job left running by a worker that died is claimed again once its claim is ``CLAIM_TIMEOUT`` old.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, Q

from tickets.discord import DiscordError
from tickets.errors import DomainError
from tickets.models.scheduling import Job

from ._common import log, now

State = Job.State
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# Jobs a thread claims at a time: small, so a claim is never near CLAIM_TIMEOUT when its job runs.
CLAIM_BATCH = 10

Run = Callable[[Job], str]


def retry_delay(attempts: int) -> timedelta:
    """How long a job waits after its ``attempts``-th failed run."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def claimable(at: datetime) -> Q:
    """Jobs a worker may take: pending and due at ``at``, or running under a claim that went stale."""
    return Q(state=State.PENDING, due_at__lte=at) | Q(
        state=State.RUNNING, claimed_at__lt=now() - CLAIM_TIMEOUT
    )


def job_claim(model: type[Job], pk: int, *, at: datetime | None = None) -> bool:
    """Claim one job if it is due (a conditional update: only one caller gets True)."""
    claimed = model.objects.filter(claimable(at or now()), pk=pk).update(
        state=State.RUNNING, claimed_at=now(), attempts=F("attempts") + 1
    )
    return bool(claimed)


def jobs_claim_due(model: type[Job], *, at: datetime, limit: int = CLAIM_BATCH) -> list[int]:
    """Claim up to ``limit`` due jobs, oldest first; returns their IDs (nobody else holds them)."""
    with transaction.atomic():
        due = model.objects.filter(claimable(at)).order_by("due_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            model.objects.filter(pk__in=ids).update(
                state=State.RUNNING, claimed_at=now(), attempts=F("attempts") + 1
            )
    return ids


def job_finish(model: type[Job], pk: int, state: str) -> str:
    """Record the end of a run (done, skipped or cancelled)."""
    model.objects.filter(pk=pk).update(state=state, finished_at=now())
    return state


def job_failed(model: type[Job], job: Job, error: BaseException) -> str:
    """Record a failed run: pending again after the backoff, or failed after ``MAX_ATTEMPTS`` runs."""
    text = f"{type(error).__name__}: {error}"[:2000]
    stamp = now()
    if job.attempts >= MAX_ATTEMPTS:
        state, changes = State.FAILED, {"finished_at": stamp}
    else:
        state, changes = State.PENDING, {"due_at": stamp + retry_delay(job.attempts)}
    try:
        with transaction.atomic():
            model.objects.filter(pk=job.pk).update(state=state, last_error=text, **changes)
    except IntegrityError:
        # Another pending job took its place (one pending close per ticket, one prompt per user).
        state = State.FAILED
        model.objects.filter(pk=job.pk).update(state=state, last_error=text, finished_at=stamp)
    if isinstance(error, DiscordError | DomainError):
        log.warning("%s %s failed (run %s, now %s): %s", model.__name__, job.pk, job.attempts, state, text)
    else:
        log.error(
            "%s %s failed (run %s, now %s)", model.__name__, job.pk, job.attempts, state, exc_info=error
        )
    return state


def job_run_claimed(
    model: type[Job],
    job: Job,
    run: Run,
    *,
    prepare: Callable[[list[Job]], None] | None = None,
    reraise: bool = True,
) -> str:
    """Run a claimed job (``prepare`` first, if given) and record its end; a failure is recorded,
    then raised unless ``reraise`` is False (the state it went back to is returned instead)."""
    try:
        if prepare:
            prepare([job])
        state = run(job)
    except Exception as error:
        state = job_failed(model, job, error)
        if reraise:
            raise
        return state
    return job_finish(model, job.pk, state)


def jobs_run_due(
    *,
    model: type[Job],
    run: Run,
    prepare: Callable[[list[Job]], None] | None = None,
    at: datetime | None = None,
    threads: int = 1,
    related: Iterable[str] = (),
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Claim and run every job due at ``at`` (default: now) on ``threads`` threads, each claiming
    batches of ``CLAIM_BATCH`` until none is left (or ``should_stop()``). ``prepare`` does the
    database work of a whole batch at once, before ``run`` takes each job; the ends of a batch are
    recorded together (running one again is harmless: a job's steps are idempotent). Returns how
    many ended in each state."""
    at = at or now()
    tally: Counter[str] = Counter()
    lock = threading.Lock()

    def run_batch(jobs: list[Job]) -> Counter[str]:
        ended: dict[str, list[int]] = {}
        states: Counter[str] = Counter()
        try:
            if prepare:
                prepare(jobs)
        except Exception as error:
            for job in jobs:
                states[job_failed(model, job, error)] += 1
            return states
        for job in jobs:
            try:
                state = run(job)
            except Exception as error:
                states[job_failed(model, job, error)] += 1
                continue
            ended.setdefault(state, []).append(job.pk)
            states[state] += 1
        for state, pks in ended.items():
            model.objects.filter(pk__in=pks).update(state=state, finished_at=now())
        return states

    def drain() -> None:
        while not (should_stop and should_stop()):
            ids = jobs_claim_due(model, at=at, limit=CLAIM_BATCH)
            if not ids:
                return
            jobs = list(model.objects.select_related(*related).filter(pk__in=ids).order_by("due_at"))
            states = run_batch(jobs)
            with lock:
                tally.update(states)

    if threads <= 1:
        drain()
        return dict(tally)

    def thread_main() -> None:
        try:
            drain()
        except Exception:
            log.exception("A scheduler thread stopped on an error")
        finally:
            connections.close_all()  # this thread's connections only

    pool = [threading.Thread(target=thread_main, name=f"jobs-{i}", daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return dict(tally)
