"""`make bench`: seed archives of two sizes, serve each with gunicorn, measure every reader page.

For each page: SQL queries per request (in-process), median and p95 latency of sequential
requests, and throughput under wrk on loopback, uncached (BENCH_CACHE=off) and cached. Beside
them, in the same run and on the same server: the floor (a view returning constant bytes of the
week page's size) and the feeds' 304 path. Everything lives in a temporary folder; nothing is
written into the repository. Targets from issue 6 are checked and printed at the end.
"""

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
VARIANTS = [("5,200 posts", 260), ("100,000 posts", 5000)]
LATENCY_REQUESTS = int(os.environ.get("BENCH_REQUESTS", 60))
LOAD_SECONDS = int(os.environ.get("BENCH_SECONDS", 4))
LOAD_CONNECTIONS = 8


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_env(data_dir, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "JUGAN_DATA_DIR": str(data_dir),
        "STATIC_ROOT": str(Path(data_dir) / "static"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-" + "k" * 40 + "0123456789",
        **extra,
    }


def run(args, env):
    return subprocess.run(
        args, env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


class Server:
    """gunicorn with the production configuration, on a free loopback port."""

    def __init__(self, env):
        self.port = free_port()
        self.env = {**env, "BIND": f"127.0.0.1:{self.port}"}

    def __enter__(self):
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "config/gunicorn.py", "config.wsgi"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _attempt in range(100):
            try:
                self.get("/__floor__/1/")
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def get(self, path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path, headers={"Accept-Language": "ko", **(headers or {})})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status

    def latency(self, path, headers=None):
        """Median and p95 in milliseconds over sequential requests, after a warm-up."""
        self.get(path, headers)
        timings = []
        for _request in range(LATENCY_REQUESTS):
            started = time.perf_counter()
            self.get(path, headers)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]

    def throughput(self, path, headers=None, connections=LOAD_CONNECTIONS, seconds=LOAD_SECONDS):
        """Requests per second under wrk, and how many answers were errors."""
        args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-H", "Accept-Language: ko"]
        for name, value in (headers or {}).items():
            args += ["-H", f"{name}: {value}"]
        output = run([*args, f"http://127.0.0.1:{self.port}{path}"], self.env)
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        errors = sum(
            int(n)
            for n in re.findall(
                r"(?:Non-2xx or 3xx responses|timeout|read|write|connect) (\d+)", output
            )
        )
        return rate, errors


def measure_variant(label, weeks):
    data_dir = Path(tempfile.mkdtemp(prefix="jugan-bench-"))
    try:
        env = django_env(data_dir)
        run([PYTHON, "manage.py", "migrate", "--no-input"], env)
        run([PYTHON, "manage.py", "collectstatic", "--no-input"], env)
        started = time.perf_counter()
        print(
            run([PYTHON, "-m", "benchmarks.seed", "--weeks", str(weeks)], env).strip(), f"({label})"
        )
        seed_seconds = time.perf_counter() - started
        pages = json.loads(
            run([PYTHON, "-m", "benchmarks.probe"], django_env(data_dir, BENCH_CACHE="off"))
        )
        floor_path = f"/__floor__/{pages['week']['bytes']}/"
        results = {"seed_seconds": seed_seconds, "pages": pages}
        for cache in ("off", "on"):
            with Server(django_env(data_dir, BENCH_CACHE=cache)) as server:
                for page in pages.values():
                    page[f"latency_{cache}"] = server.latency(page["url"])
                    page[f"rps_{cache}"] = server.throughput(page["url"])
                results[f"floor_{cache}"] = server.throughput(floor_path)
                etag = pages["feed weeks rss"]["etag"]
                if etag:
                    results[f"not_modified_{cache}"] = server.throughput(
                        "/feed/", {"If-None-Match": etag}
                    )
        return results
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def report(results):
    lines = []
    for label, result in results.items():
        floor = result["floor_off"][0]
        lines.append(f"\n## {label} (seeded in {result['seed_seconds']:.1f} s)\n")
        lines.append(
            "| page | queries | median ms | p95 ms | req/s uncached | req/s cached | % of floor (uncached / cached) |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for name, page in result["pages"].items():
            median, p95 = page["latency_off"]
            uncached, cached = page["rps_off"][0], page["rps_on"][0]
            lines.append(
                f"| {name} | {page['queries']} | {median:.1f} | {p95:.1f} | {uncached:.0f} | {cached:.0f} "
                f"| {100 * uncached / floor:.0f}% / {100 * cached / result['floor_on'][0]:.0f}% |"
            )
        lines.append(
            f"| floor ({result['pages']['week']['bytes']} bytes) | 0 | | | {floor:.0f} | {result['floor_on'][0]:.0f} | 100% |"
        )
        if "not_modified_on" in result:
            rate = result["not_modified_on"][0]
            lines.append(
                f"| feed 304 path | | | | {result['not_modified_off'][0]:.0f} | {rate:.0f} | {100 * rate / result['floor_on'][0]:.0f}% (cached) |"
            )
    return "\n".join(lines)


def check_targets(results):
    small, large = results[VARIANTS[0][0]], results[VARIANTS[1][0]]
    failures = []
    for label, result in results.items():
        for name, page in result["pages"].items():
            if page["status"] != 200:
                failures.append(f"{label}: {name} answered {page['status']}")
            if page["queries"] > 10:
                failures.append(f"{label}: {name} runs {page['queries']} queries (> 10)")
            errors = page["rps_off"][1] + page["rps_on"][1]
            if errors:
                failures.append(f"{label}: {name} had {errors} errors under load")
        week = result["pages"]["week"]
        if week["rps_off"][0] < 0.3 * result["floor_off"][0]:
            failures.append(f"{label}: uncached week page below 30% of the floor")
        if week["rps_on"][0] < 0.8 * result["floor_on"][0]:
            failures.append(f"{label}: cached week page below 80% of the floor")
        if "not_modified_on" not in result:
            failures.append(f"{label}: the weeks feed has no ETag")
        elif result["not_modified_on"][0] < 0.8 * result["floor_on"][0]:
            failures.append(f"{label}: feed 304 path below 80% of the floor")
    for name, page in small["pages"].items():
        if large["pages"][name]["latency_off"][0] > 1.5 * page["latency_off"][0]:
            failures.append(f"{name}: median at 100,000 posts is over 1.5× the median at 5,200")
    return failures


def main():
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk (Debian: apt-get install wrk)")
    results = {label: measure_variant(label, weeks) for label, weeks in VARIANTS}
    print(report(results))
    failures = check_targets(results)
    print("\nTargets:", "all met" if not failures else "")
    for failure in failures:
        print(f"  MISSED {failure}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
