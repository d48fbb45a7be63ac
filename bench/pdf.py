"""How fast decisions become PDFs, through our pipeline and a real Celery worker.

    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/pdf.py

Uses its own PostgreSQL database (BENCH_PDF_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_pdf), dropped, created and migrated on each run, and a
temporary media folder. Prints, with the targets:

  ratio R          median render of one decision through decision_render (claim, HTML from the
                   frozen content, PDF, SHA-256, store, conditional update, audit) over raw
                   WeasyPrint on the same HTML (HTML(string).write_pdf(), nothing shared) ≤ 1.25
  throughput T     a 2-process worker over 200 queued decisions, first claim to last ready ≥ 20/s
  memory growth    RSS of a worker pool process from render 20 to render 520 ≤ 15 MB
  latency          approval-to-ready: from the start of the issuing transaction to the row being
                   ready, one decision at a time, median ≤ 0.5 s

The delivery task each render queues runs on the same worker (e-mail to memory), as in production.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT  # noqa: E402

DB_URL = os.environ.get("BENCH_PDF_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_pdf")
TARGETS = {"ratio": 1.25, "throughput": 20.0, "memory_mb": 15.0, "latency_s": 0.5}
RUNS = 25
THROUGHPUT_DOCS = 200
MEMORY_WARMUP, MEMORY_DOCS = 20, 500
LATENCY_RUNS = 20


def prepare_database(media: str):
    """A fresh bench database, so numbers and files start from nothing."""
    import psycopg

    parts = urlsplit(DB_URL)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = DB_URL
    os.environ["MEDIA_ROOT"] = media
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def issue_many(world, count: int, prefix: str) -> list:
    from django.db import transaction

    from documents import services
    from tests.documents.conftest import make_official_in_tuly, make_proposal

    decisions = []
    for i in range(count):
        official, assignment = make_official_in_tuly(world, f"{prefix} {i:04d}")
        proposal = make_proposal(world, official=official, assignment=assignment)
        with transaction.atomic():
            decisions.append(
                services.decision_issue(
                    proposal=proposal, signer=world.chair, issued_by=world.clerk
                )
            )
    return decisions


def wait_ready(ids, timeout: float) -> None:
    from documents.models import Decision

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Decision.objects.filter(pk__in=ids, status="ready").count() == len(ids):
            return
        time.sleep(0.05)
    left = Decision.objects.filter(pk__in=ids).exclude(status="ready").count()
    raise SystemExit(f"{left} of {len(ids)} decisions not ready after {timeout} s")


def pause_worker_queue():
    """Nothing consumes while decisions are queued: the throughput clock starts at the claim."""
    from config.celery import app

    app.control.purge()


def bench_ratio(world) -> tuple[float, float, float]:
    from weasyprint import HTML

    from config.celery import app
    from documents import rendering, services
    from documents.models import Decision

    # In-process: the delivery each render queues goes to the broker; purged afterwards.
    [decision] = issue_many(world, 1, "Cán bộ thử tỉ lệ")
    html = rendering.decision_html(decision)

    def ours():
        Decision.objects.filter(pk=decision.pk).update(status="pending", render_attempts=0)
        assert services.decision_render(decision_id=decision.pk)

    def raw():
        HTML(string=html, base_url=str(rendering.FONT_DIR)).write_pdf()

    timings = {"ours": [], "raw": []}
    for fn in (ours, raw):
        fn()  # warm-up
    for _ in range(RUNS):
        # Alternate, so that load from elsewhere falls on both alike.
        for name, fn in (("ours", ours), ("raw", raw)):
            start = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - start)
    app.control.purge()
    ours_ms = statistics.median(timings["ours"]) * 1000
    raw_ms = statistics.median(timings["raw"]) * 1000
    return ours_ms / raw_ms, ours_ms, raw_ms


def start_worker(media: str, concurrency: int, log: Path):
    env = {**os.environ, "DATABASE_URL": DB_URL, "MEDIA_ROOT": media}
    handle = open(log, "ab")  # noqa: SIM115 - closed with the worker
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            *["-A", "config", "worker", "--loglevel=WARNING", "--pool=prefork"],
            *["--without-gossip", "--without-mingle", "--without-heartbeat"],
            f"--concurrency={concurrency}",
            f"--hostname=bench-pdf-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, handle


def stop_worker(proc, handle):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    handle.close()


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def bench_throughput(world, media: str, logdir: Path) -> float:
    from django.db.models import Max, Min

    from documents.models import Decision

    pause_worker_queue()
    decisions = issue_many(world, THROUGHPUT_DOCS, "Cán bộ thử thông lượng")
    ids = [d.pk for d in decisions]
    proc, handle = start_worker(media, 2, logdir / "throughput.log")
    try:
        wait_ready(ids, timeout=600)
    finally:
        stop_worker(proc, handle)
    span = Decision.objects.filter(pk__in=ids).aggregate(
        first=Min("render_started_at"), last=Max("rendered_at")
    )
    return len(ids) / (span["last"] - span["first"]).total_seconds()


def bench_memory_and_latency(world, media: str, logdir: Path) -> tuple[float, float, float]:
    from django.db import transaction

    from documents import services
    from tests.documents.conftest import make_official_in_tuly, make_proposal

    proc, handle = start_worker(media, 1, logdir / "memory.log")
    try:
        time.sleep(3)
        # Latency first, with the worker idle: one decision at a time.
        latencies = []
        for i in range(LATENCY_RUNS):
            official, assignment = make_official_in_tuly(world, f"Cán bộ thử độ trễ {i:03d}")
            proposal = make_proposal(world, official=official, assignment=assignment)
            start = time.perf_counter()
            with transaction.atomic():
                decision = services.decision_issue(
                    proposal=proposal, signer=world.chair, issued_by=world.clerk
                )
            wait_ready([decision.pk], timeout=60)
            latencies.append(time.perf_counter() - start)
            time.sleep(0.3)  # let its delivery run, so the next one starts on an idle worker
        # Memory: warm up, then 500 more renders in the same pool process.
        warm = issue_many(world, MEMORY_WARMUP, "Cán bộ khởi động")
        wait_ready([d.pk for d in warm], timeout=300)
        [child] = children(proc.pid)
        before = rss_mb(child)
        batch = issue_many(world, MEMORY_DOCS, "Cán bộ thử bộ nhớ")
        wait_ready([d.pk for d in batch], timeout=1200)
        time.sleep(1)
        assert children(proc.pid) == [child], "the pool process was replaced"
        after = rss_mb(child)
    finally:
        stop_worker(proc, handle)
    return statistics.median(latencies), before, after


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main():
    if not os.environ.get("REDIS_URL"):
        raise SystemExit(
            "Set REDIS_URL (e.g. redis://127.0.0.1:6379/12): the bench needs a worker."
        )
    media = tempfile.mkdtemp(prefix="bench-pdf-media-")
    logdir = Path(tempfile.mkdtemp(prefix="bench-pdf-logs-"))
    prepare_database(media)
    from tests.documents.conftest import build_world

    world = build_world()
    print(f"Database {DB_URL}; broker {os.environ['REDIS_URL']}; worker logs in {logdir}")

    ratio, ours_ms, raw_ms = bench_ratio(world)
    print(
        f"ratio {ratio:.2f}  (our pipeline {ours_ms:.1f} ms, raw WeasyPrint {raw_ms:.1f} ms; "
        f"target ≤ {TARGETS['ratio']}) {verdict(ratio <= TARGETS['ratio'])}"
    )
    throughput = bench_throughput(world, media, logdir)
    print(
        f"throughput {throughput:.1f} docs/s  (2-process worker, {THROUGHPUT_DOCS} decisions; "
        f"target ≥ {TARGETS['throughput']:.0f}) {verdict(throughput >= TARGETS['throughput'])}"
    )
    latency, before, after = bench_memory_and_latency(world, media, logdir)
    growth = after - before
    print(
        f"memory {growth:.1f} MB  (pool process RSS {before:.1f} → {after:.1f} MB over "
        f"{MEMORY_DOCS} renders; target ≤ {TARGETS['memory_mb']:.0f}) "
        f"{verdict(growth <= TARGETS['memory_mb'])}"
    )
    print(
        f"latency {latency:.3f} s  (approval-to-ready median of {LATENCY_RUNS}; "
        f"target ≤ {TARGETS['latency_s']}) {verdict(latency <= TARGETS['latency_s'])}"
    )


if __name__ == "__main__":
    main()
