"""`make bench-lockout`: what a refused sign-in costs the server, beside one that is checked.

A throwaway SQLite database in /tmp with production settings (config.settings.bench: DEBUG
off, Django's default PBKDF2 hasher), one curator, and the admin's login form driven by
Django's test client in this process, so the figures are the view, its middleware and the
database, without a network. Then:

- locked: 1,000 attempts, wrong passwords and the right one, from an address that locked the
  account with five failures just before: each is refused by the lockout;
- unlocked: wrong passwords from addresses that have not failed before (one attempt each, so
  no lock engages): each is checked, that is, hashed. At about half a second a hash on this
  machine, BENCH_UNLOCKED of them (default 100) are measured and the time scaled to 1,000;
  BENCH_UNLOCKED=1000 measures them all (about seven minutes).

Every password hashed is counted, to show the locked attempts hashed none.
"""

import logging
import os
import statistics
import sys
import tempfile
import time

ATTEMPTS = 1_000
UNLOCKED = int(os.environ.get("BENCH_UNLOCKED", 100))


def setup_django(data_dir):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        JUGAN_DATA_DIR=data_dir,
        STATIC_ROOT=data_dir,  # WhiteNoise looks for it; nothing static is asked for
        DEBUG="0",
        SECRET_KEY="bench-only-secret-" + "k" * 40 + "0123456789",
    )
    import django

    django.setup()
    # Each failure and each refusal is logged as a warning; a thousand would drown the table.
    logging.disable(logging.WARNING)


class CountedHashing:
    """Counts every password the configured hashers hash (`verify` hashes through `encode`)."""

    def __init__(self):
        from django.contrib.auth.hashers import get_hashers

        self.count = 0
        for hasher in get_hashers():
            encode = type(hasher).encode

            def counted(this, password, *args, encode=encode, **kwargs):
                self.count += 1
                return encode(this, password, *args, **kwargs)

            type(hasher).encode = counted


def timed(attempts):
    """Runs each attempt (a callable returning a response); returns the milliseconds each took
    and the status codes they got."""
    timings, statuses = [], []
    for attempt in attempts:
        started = time.perf_counter()
        response = attempt()
        timings.append((time.perf_counter() - started) * 1000)
        statuses.append(response.status_code)
    return timings, statuses


def main():
    with tempfile.TemporaryDirectory(prefix="jugan-lockout-") as data_dir:
        setup_django(data_dir)
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import get_hasher
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import override_settings
        from django.urls import reverse

        # Static addresses as in development: the hashed manifest needs collectstatic, which a
        # measure of sign-ins has no use for.
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        ).enable()
        call_command("migrate", verbosity=0)
        password = "correct horse battery staple"
        get_user_model().objects.create_user("curator", password=password, is_staff=True)
        login = reverse("admin:login")
        hashing = CountedHashing()

        def attempt(address, guess):
            client = Client(REMOTE_ADDR=address)
            return lambda: client.post(login, {"username": "curator", "password": guess})

        locker = "198.51.100.1"
        for number in range(settings.AXES_FAILURE_LIMIT):
            attempt(locker, f"guess {number}")()
        hashing.count = 0
        locked, locked_statuses = timed(
            attempt(locker, password if number % 10 == 0 else f"guess {number}")
            for number in range(ATTEMPTS)
        )
        locked_hashes = hashing.count

        hashing.count = 0
        unlocked, unlocked_statuses = timed(
            attempt(f"10.{number // 65536}.{number // 256 % 256}.{number % 256}", "wrong")
            for number in range(1, UNLOCKED + 1)
        )
        unlocked_hashes = hashing.count

        assert set(locked_statuses) == {429}, set(locked_statuses)
        assert set(unlocked_statuses) == {200}, set(unlocked_statuses)
        report(get_hasher(), locked, locked_hashes, unlocked, unlocked_hashes)


def report(hasher, locked, locked_hashes, unlocked, unlocked_hashes):
    scale = ATTEMPTS / len(unlocked)
    locked_total, unlocked_total = sum(locked) / 1000, sum(unlocked) / 1000 * scale
    measured = "" if scale == 1 else f" ({len(unlocked):,} measured, ×{scale:g})"
    iterations = getattr(hasher, "iterations", None)
    print(
        f"Sign-in attempts through the admin's login form: Django's test client in one process,"
        f" SQLite, the production hasher ({hasher.algorithm}"
        + (f", {iterations:,} iterations" if iterations else "")
        + f"); {os.cpu_count()} cores, shared.\n"
    )
    print("| attempts | total s | median ms per attempt | passwords hashed |")
    print("|---|---:|---:|---:|")
    print(
        f"| {ATTEMPTS:,} locked (refused by the lockout) | {locked_total:.2f} "
        f"| {statistics.median(locked):.1f} | {locked_hashes} |"
    )
    print(
        f"| {ATTEMPTS:,} unlocked (wrong password, checked){measured} | {unlocked_total:.1f} "
        f"| {statistics.median(unlocked):.1f} | {round(unlocked_hashes * scale):,} |"
    )
    print(
        f"\nA locked attempt costs {locked_total / unlocked_total:.1%} of an unlocked one "
        f"({unlocked_total / locked_total:.0f}× less) and hashes no password."
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
