"""`make bench-email`: a published week delivered to 10,000 confirmed subscribers by two task
workers, through a real SMTP server (aiosmtpd, in this process, on loopback).

A throwaway SQLite database in /tmp with production settings (config.settings.bench) but
EMAIL_URL pointing at the local server; the week is published as a curator would publish it
(publish_week, which queues its delivery), then two `manage.py db_worker` processes are started,
as `make serve` starts them, and run until every delivery is sent or failed. Printed: mails per
second (from the workers' start, and between the first and last mail the server received), each
worker's peak memory (VmHWM), and duplicates: mails received beyond one per subscriber, counted
by recipient and by Message-ID. Target: at least 100 mails/s, and no duplicate.

Environment: BENCH_SUBSCRIBERS (default 10000), BENCH_WORKERS (default 2).
"""

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", 10_000))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
TARGET_RATE = 100
TIMEOUT = 900

SEED = """
import datetime
from django.utils import timezone
from archive.models import Post, Subscriber, SubscriberStatus, Topic, Week
from archive.services import publish_week
from archive.weeks import IsoWeek

now = timezone.now()
Subscriber.objects.bulk_create(
    (
        Subscriber(
            email=f"reader{{n}}@example.org",
            status=SubscriberStatus.ACTIVE,
            language="en" if n % 5 == 0 else "ko",
            confirmed_at=now,
        )
        for n in range({subscribers})
    ),
    batch_size=2000,
)
topic = Topic.objects.create(name="NLP")
# One subscriber in ten reads only the NLP posts: a second edition per language.
through = Subscriber.topics.through
through.objects.bulk_create(
    through(subscriber_id=pk, topic_id=topic.pk)
    for pk in Subscriber.objects.values_list("pk", flat=True)[::10]
)
week_of = IsoWeek.of(timezone.localdate())
week = Week.objects.create(year=week_of.year, number=week_of.number, title="벤치마크 주간")
for n in range(12):
    post = Post.objects.create(
        title=f"글 {{n}}: 한국어 언어 모델 소식",
        week=week,
        position=n,
        posted_on=week_of.start,
        summary="요약: [논문](https://arxiv.org/abs/2101.00001) 과 **코드** 공개. " * 4,
        commentary="큐레이터의 한마디: 읽어 볼 만합니다.",
    )
    if n % 3 == 0:
        post.topics.add(topic)
publish_week(week)
"""


class Counting:
    """Counts what arrives, by recipient and by Message-ID, and when."""

    def __init__(self):
        self.recipients = Counter()
        self.message_ids = Counter()
        self.first = self.last = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        header = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        message_id = next(
            (line for line in header.split(b"\r\n") if line.lower().startswith(b"message-id:")),
            b"",
        )
        now = time.monotonic()
        with self.lock:
            self.recipients.update(envelope.rcpt_tos)
            self.message_ids[message_id] += 1
            self.first = self.first or now
            self.last = now
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_memory_mib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid):
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def delivery_counts(database):
    with sqlite3.connect(database, timeout=30) as db:
        return dict(db.execute("SELECT status, COUNT(*) FROM archive_delivery GROUP BY status"))


def main():
    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    data_dir = tempfile.mkdtemp(prefix="jugan-bench-email-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "JUGAN_DATA_DIR": data_dir,
        "STATIC_ROOT": data_dir,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-" + "k" * 40 + "0123456789",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "SITE_URL": "https://jugan.example.org",
        "TASKS_BACKEND": "database",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)
    database = Path(data_dir) / "db.sqlite3"

    def manage(*arguments):
        subprocess.run(
            [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True, timeout=600
        )

    print(f"Seeding {SUBSCRIBERS:,} confirmed subscribers in {data_dir} ...", flush=True)
    manage("migrate", "--no-input", "--verbosity", "0")
    manage("shell", "-c", SEED.format(subscribers=SUBSCRIBERS))

    started = time.monotonic()
    own_cpu_before = time.process_time()
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _worker in range(WORKERS)
    ]
    peaks, cpu = {}, {}
    try:
        while time.monotonic() - started < TIMEOUT:
            time.sleep(0.5)
            for worker in workers:
                peaks[worker.pid] = peak_memory_mib(worker.pid) or peaks.get(worker.pid)
                cpu[worker.pid] = cpu_seconds(worker.pid) or cpu.get(worker.pid)
            counts = delivery_counts(database)
            done = counts.get("sent", 0) + counts.get("failed", 0)
            if counts and not counts.get("pending") and not counts.get("sending") and done:
                break
        finished = time.monotonic()
        server_cpu = time.process_time() - own_cpu_before  # the SMTP server, mostly
        for worker in workers:
            peaks[worker.pid] = peak_memory_mib(worker.pid) or peaks.get(worker.pid)
            cpu[worker.pid] = cpu_seconds(worker.pid) or cpu.get(worker.pid)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        controller.stop()

    counts = delivery_counts(database)
    received = sum(handler.recipients.values())
    load = os.getloadavg()[1]  # the last five minutes: other work on the machine slows sending
    worker_ms = 1000 * sum(value for value in cpu.values() if value) / max(received, 1)
    server_ms = 1000 * server_cpu / max(received, 1)
    duplicates = sum(count - 1 for count in handler.recipients.values() if count > 1)
    duplicate_ids = sum(count - 1 for count in handler.message_ids.values() if count > 1)
    overall = received / (finished - started)
    between = (
        (received - 1) / (handler.last - handler.first) if received > 1 and handler.last else 0
    )
    rows = [
        ("subscribers", f"{SUBSCRIBERS:,}"),
        ("task workers", str(WORKERS)),
        (
            "deliveries",
            ", ".join(f"{status} {count:,}" for status, count in sorted(counts.items())),
        ),
        ("mails received", f"{received:,}"),
        ("seconds, workers' start to last delivery", f"{finished - started:.1f}"),
        ("mails/s, workers' start to last delivery", f"{overall:.0f}"),
        ("mails/s, first to last mail received", f"{between:.0f}"),
        (
            "peak memory per worker (MiB)",
            ", ".join(f"{peak:.0f}" for peak in peaks.values() if peak),
        ),
        ("load average during the run (2 cores)", f"{load:.1f}"),
        ("CPU ms per mail: workers + SMTP server", f"{worker_ms:.2f} + {server_ms:.2f}"),
        ("mails/s that CPU cost allows on 2 idle cores", f"{2000 / (worker_ms + server_ms):.0f}"),
        ("duplicates by recipient", str(duplicates)),
        ("duplicates by Message-ID", str(duplicate_ids)),
    ]
    width = max(len(label) for label, _value in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    expected = counts.get("sent", 0)
    problems = []
    if overall < TARGET_RATE:
        problems.append(f"{overall:.0f} mails/s is below the target of {TARGET_RATE}")
    if duplicates or duplicate_ids:
        problems.append("some subscribers got a mail twice")
    if received != expected:
        problems.append(f"{received} mails arrived for {expected} deliveries marked sent")
    print()
    print("Targets missed: " + "; ".join(problems) if problems else "Targets met.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
