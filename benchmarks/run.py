"""`make bench`: seed archives of two sizes, serve each with gunicorn, measure every reader page.

For each page and feed: SQL queries per request (in-process, uncached), median and p95 latency
of sequential requests to an uncached server, and throughput under wrk on loopback, uncached
(BENCH_CACHE=off: Django's dummy cache, so every request renders from the database) and
cached. Beside them on the same server: the floor (a view returning constant bytes as big as the
week page, through the same middleware), measured just before and after the pages it is
compared with, and the feeds' 304 path. Then a load test: 200 clients for 30 s against the
cached server, pages and feeds mixed. Last, on the largest archive, the front cache (Varnish
with deploy/varnish/jugan.vcl, as `make serve-cached` runs it): the week page's bytes as a plain
file from Varnish itself (the physical limit here), beside the week page, home and the weeks feed
through it, and the same 200-client load test through it; and the load test against gunicorn with
its cache in a Redis that is stopped and started again meanwhile. Everything lives in a temporary
folder; nothing is written into the repository. The targets are checked at the end.

Environment: BENCH_SECONDS (wrk run, default 3), BENCH_REQUESTS (sequential requests per
latency, default 40), BENCH_LOAD_SECONDS (load test, default 30), BENCH_SIZES (e.g. "260" for
the small archive only), BENCH_FRONT_ONLY=1 (only the front cache's section and the Redis
restart, for a quick look), BENCH_SEARCH_ONLY=1 (only the search pages' queries and latency
on both archives, and how the medians grow: seeding 100,000 posts with their search index
takes minutes, and this answers whether search stays flat without the rest of the run).
"""

import http.client
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
SIZES = {260: "5,200 posts", 5000: "100,000 posts"}
WEEKS = [int(weeks) for weeks in os.environ.get("BENCH_SIZES", "260 5000").split()]
LATENCY_REQUESTS = int(os.environ.get("BENCH_REQUESTS", 40))
LATENCY_SECONDS = 4  # …or fewer requests, for the slowest pages
LOAD_SECONDS = int(os.environ.get("BENCH_SECONDS", 3))
# Two cores run both wrk and gunicorn: one wrk thread (it needs far less CPU than the server)
# and 8 connections, enough to keep every worker busy without a long queue.
LOAD_THREADS, LOAD_CONNECTIONS = 1, 8
RATIO_ROUNDS, RATIO_SECONDS = 3, 2
STRESS_CLIENTS = 200
STRESS_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", 30))
# As config/gunicorn.py counts them.
WORKERS = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1))
TARGETS = {"queries": 10, "uncached": 0.30, "cached": 0.80, "not_modified": 0.80, "growth": 1.5}
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Through the front cache: the share of the plain file's throughput, and the load test's p99.
FRONT_TARGETS = {"share": 0.80, "p99_ms": 20}
FRONT_PAGES = ("week", "home", "feed weeks rss")
FRONT_ONLY = os.environ.get("BENCH_FRONT_ONLY") == "1"
SEARCH_ONLY = os.environ.get("BENCH_SEARCH_ONLY") == "1"


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_env(data_dir, static_root, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "JUGAN_DATA_DIR": str(data_dir),
        "STATIC_ROOT": str(static_root),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-" + "k" * 40 + "0123456789",
        **extra,
    }


def run(args, env):
    return subprocess.run(
        args, env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


class Server:
    """gunicorn with the production configuration (config/gunicorn.py), on a free port."""

    # What every request measured here sends.
    HEADERS = {"Accept-Language": "ko"}

    def __init__(self, env):
        self.port = free_port()
        self.env = {**env, "BIND": f"127.0.0.1:{self.port}"}

    def __enter__(self):
        self.process = subprocess.Popen(
            # No control socket: it would be shared with any other gunicorn of this user.
            [GUNICORN, "--config", "config/gunicorn.py", "--no-control-socket", "config.wsgi"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _attempt in range(200):
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
        connection.request("GET", path, headers={**self.HEADERS, **(headers or {})})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status

    def latency(self, path):
        """Median and p95 in milliseconds over sequential requests, after two warm-ups."""
        self.get(path)
        self.get(path)
        timings, started = [], time.perf_counter()
        while len(timings) < LATENCY_REQUESTS and (
            len(timings) < 10 or time.perf_counter() - started < LATENCY_SECONDS
        ):
            begin = time.perf_counter()
            self.get(path)
            timings.append((time.perf_counter() - begin) * 1000)
        timings.sort()
        return statistics.median(timings), timings[max(0, round(len(timings) * 0.95) - 1)]

    def wrk(self, path, headers=None, threads=LOAD_THREADS, connections=LOAD_CONNECTIONS,
            seconds=LOAD_SECONDS, script=None):  # fmt: skip
        args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        args += ["--latency"]
        for name, value in {**self.HEADERS, **(headers or {})}.items():
            args += ["-H", f"{name}: {value}"]
        if script:
            args += ["-s", str(script)]
        return parse_wrk(run([*args, f"http://127.0.0.1:{self.port}{path}"], self.env))

    def throughput(self, path, headers=None, seconds=LOAD_SECONDS):
        result = self.wrk(path, headers, seconds=seconds)
        return result["rate"], result["errors"]


class FrontCache(Server):
    """Varnish as `make serve-cached` runs it, in front of a running gunicorn. It also answers
    /__plain__/<n> with the bytes of the n-th page given, read once from a file: the fastest
    this server can send those bytes, to compare the page through the cache with.

    Its clients ask for gzip, as browsers do: Varnish keeps the page gzipped as Django sent it,
    and would unzip it anew for each client that does not ask (which no browser is). So the
    plain files are the pages' gzipped bytes too."""

    HEADERS = {**Server.HEADERS, "Accept-Encoding": "gzip"}

    def __init__(self, backend, bodies, folder):
        self.env = backend.env
        self.port = free_port()
        self.backend_port = backend.port
        self.folder = Path(folder)
        self.bodies = bodies

    def __enter__(self):
        from deploy.varnish import Varnish

        self.folder.mkdir(parents=True, exist_ok=True)
        plain = []
        for number, body in enumerate(self.bodies):
            page = self.folder / f"page-{number}"
            page.write_bytes(body)
            plain.append(
                f'  if (req.url == "/__plain__/{number}") {{ set resp.body = std.fileread("{page}"); }}\n'
            )
        vcl = self.folder / "bench.vcl"
        vcl.write_text(
            "vcl 4.1;\nimport std;\n"
            'sub vcl_recv { if (req.url ~ "^/__plain__/") { return (synth(200, "OK")); } }\n'
            'sub vcl_synth { if (req.url ~ "^/__plain__/") {\n'
            '  set resp.http.Content-Type = "text/html; charset=utf-8";\n'
            '  set resp.http.Content-Encoding = "gzip";\n'
            + "".join(plain)
            + "  return (deliver); } }\n"
            'include "jugan.vcl";\n'
        )
        self.varnish = Varnish(
            f"127.0.0.1:{self.port}", f"127.0.0.1:{self.backend_port}", vcl=vcl,
            workdir=self.folder / "varnish",
        ).__enter__()  # fmt: skip
        return self

    def __exit__(self, *exc):
        self.varnish.__exit__(*exc)


def parse_wrk(output):
    errors = sum(
        int(count)
        for count in re.findall(
            r"(?:Non-2xx or 3xx responses:|connect|read|write|timeout) (\d+)", output
        )
    )
    percentiles = {
        int(percent): value + unit
        for percent, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(\w+)", output, re.M)
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
        "errors": errors,
        # Of which: answers that were errors, and requests wrk gave up on (10 s).
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "timeouts": int(timeouts[1]) if timeouts else 0,
        "percentiles": percentiles,
    }


def warm_up_seconds(page):
    """Long enough for every worker to render the page once into its own cache, however slow
    the page (and however busy the machine), before its cached throughput is measured."""
    rendering = WORKERS * page["latency"][0] / 1000
    return max(1, min(8, math.ceil(3 * rendering)))


def share_of_floor(server, floor_path, path, headers=None):
    """Throughput of `path` over the floor's, in rounds that alternate the two: other programs
    share the machine, so each ratio is taken from runs seconds apart, and the median reported."""
    rounds = []
    for _round in range(RATIO_ROUNDS):
        floor = server.throughput(floor_path, seconds=RATIO_SECONDS)[0]
        rate, errors = server.throughput(path, headers, seconds=RATIO_SECONDS)
        rounds.append({"floor": floor, "rate": rate, "errors": errors, "share": rate / floor})
    middle = sorted(rounds, key=lambda each: each["share"])[len(rounds) // 2]
    return middle | {"shares": [each["share"] for each in rounds]}


def measure_variant(weeks, static_root):
    label = SIZES.get(weeks, f"{weeks * 20:,} posts")
    data_dir = Path(tempfile.mkdtemp(prefix="jugan-bench-"))
    try:
        env = django_env(data_dir, static_root)
        log(f"{label}: migrating and seeding…")
        run([PYTHON, "manage.py", "migrate", "--no-input"], env)
        started = time.perf_counter()
        run([PYTHON, "-m", "benchmarks.seed", "--weeks", str(weeks)], env)
        seeded = time.perf_counter() - started
        # What the background worker does after an import: every post's fragments stored
        # (digest/fragments.py), here in the language the pages are measured in; search reads
        # none of them.
        started = time.perf_counter()
        if not SEARCH_ONLY:
            run([PYTHON, "manage.py", "render_fragments", "--language", "ko"], env)
        rendered = time.perf_counter() - started
        pages = json.loads(
            run([PYTHON, "-m", "benchmarks.probe"], django_env(data_dir, static_root, BENCH_CACHE="off"))
        )  # fmt: skip
        floor_path = f"/__floor__/{pages['week']['bytes']}/"
        # The other floor: as many bytes as a static file, which whitenoise sends from the top
        # of the same middleware chain in the same gunicorn (found when gunicorn starts).
        static_floor = Path(static_root) / f"bench-floor-{pages['week']['bytes']}.html"
        static_floor.write_bytes(b"x" * pages["week"]["bytes"])
        static_floor_path = f"/static/{static_floor.name}"
        result = {
            "label": label,
            "seed_seconds": seeded,
            "render_seconds": rendered,
            "pages": pages,
        }
        if SEARCH_ONLY:
            result["pages"] = {
                name: page for name, page in pages.items() if name.startswith("search")
            }
            log(f"{label}: measuring search…")
            with Server(django_env(data_dir, static_root, BENCH_CACHE="off")) as server:
                for page in result["pages"].values():
                    page["latency"] = server.latency(page["url"])
            return result
        if FRONT_ONLY:
            if weeks == WEEKS[-1]:
                with Server(django_env(data_dir, static_root, BENCH_CACHE="on")) as server:
                    result["front"] = front_cache(server, pages, data_dir)
                result["redis"] = redis_restart(data_dir, static_root, pages)
            return result
        for cache in ("off", "on"):
            log(f"{label}: measuring with the cache {cache}…")
            with Server(django_env(data_dir, static_root, BENCH_CACHE=cache)) as server:
                for page in pages.values():
                    if cache == "off":
                        page["latency"] = server.latency(page["url"])
                    else:
                        server.throughput(page["url"], seconds=warm_up_seconds(page))
                    page[f"rps_{cache}"] = server.throughput(page["url"])
                result[f"week_{cache}"] = share_of_floor(server, floor_path, pages["week"]["url"])
                if cache == "on":
                    etag = {"If-None-Match": pages["feed weeks rss"]["etag"]}
                    result["not_modified"] = share_of_floor(server, floor_path, "/feed/", etag)
                    assert server.get(static_floor_path) == 200, static_floor_path
                    result["week_static"] = share_of_floor(
                        server, static_floor_path, pages["week"]["url"]
                    )
                    result["not_modified_static"] = share_of_floor(
                        server, static_floor_path, "/feed/", etag
                    )
                    if weeks == WEEKS[-1]:
                        result["load"] = load_test(server, pages, data_dir)
                        result["front"] = front_cache(server, pages, data_dir)
        if weeks == WEEKS[-1]:
            result["redis"] = redis_restart(data_dir, static_root, pages)
        return result
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def load_test(server, pages, data_dir):
    """STRESS_CLIENTS connections for STRESS_SECONDS, cycling through every page and feed."""
    log(f"load test: {STRESS_CLIENTS} clients for {STRESS_SECONDS} s…")
    paths = [page["url"] for page in pages.values()]
    script = Path(data_dir) / "mix.lua"
    script.write_text(
        "local paths = {" + ", ".join(json.dumps(path) for path in paths) + "}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  return wrk.format('GET', paths[n % #paths + 1])\n"
        "end\n"
    )
    return server.wrk(
        "/", threads=2, connections=STRESS_CLIENTS, seconds=STRESS_SECONDS, script=script
    ) | {"paths": len(paths)}


def fetch(server, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def front_cache(server, pages, data_dir):
    """The week page, home and the weeks feed through Varnish, each against its own bytes as a
    plain file from Varnish, in alternating rounds; then the load test through it."""
    from deploy.varnish import available

    if not available():
        log("front cache: varnishd is not installed (Debian: apt-get install varnish); skipped")
        return None
    bodies = []
    for name in FRONT_PAGES:
        status, body = fetch(server, pages[name]["url"], FrontCache.HEADERS)
        assert status == 200, name
        bodies.append(body)
    with FrontCache(server, bodies, Path(data_dir) / "front") as front:
        log("front cache: measuring through Varnish…")
        for page in pages.values():  # every page and feed in the cache before measuring
            fetch(front, page["url"], front.HEADERS)
        shares = {
            name: share_of_floor(front, f"/__plain__/{number}", pages[name]["url"])
            | {"bytes": len(bodies[number])}
            for number, name in enumerate(FRONT_PAGES)
        }
        load = load_test(front, pages, data_dir)
    nginx = nginx_file_rate(bodies[0], Path(data_dir) / "nginx")
    return {"shares": shares, "load": load, "nginx_week": nginx}


class NginxFile(Server):
    """nginx sending the same bytes as a plain file (sendfile): no cache, no application, the
    fastest this machine serves them; printed for reference beside the front cache's figures."""

    def __init__(self, body, folder):
        self.env = dict(os.environ)
        self.port = free_port()
        self.folder = Path(folder)
        self.body = body

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)  # its workers run as www-data
        (self.folder / "page.html").write_bytes(self.body)
        (self.folder / "page.html").chmod(0o644)
        self.config = self.folder / "nginx.conf"
        self.config.write_text(
            f"pid {self.folder}/nginx.pid; error_log {self.folder}/error.log; "
            "worker_processes auto; events {}\n"
            f"http {{ access_log off; sendfile on; client_body_temp_path {self.folder}; "
            f"proxy_temp_path {self.folder}; fastcgi_temp_path {self.folder}; "
            f"uwsgi_temp_path {self.folder}; scgi_temp_path {self.folder};\n"
            f"  server {{ listen 127.0.0.1:{self.port}; root {self.folder}; "
            "default_type text/html; } }\n"
        )
        subprocess.run([NGINX, "-c", str(self.config)], check=True, capture_output=True)
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def __exit__(self, *exc):
        subprocess.run([NGINX, "-c", str(self.config), "-s", "stop"], capture_output=True)


def nginx_file_rate(body, folder):
    if not os.access(NGINX, os.X_OK):
        return None
    with NginxFile(body, folder) as nginx:
        rates = sorted(nginx.throughput("/page.html", seconds=RATIO_SECONDS)[0] for _ in range(3))
    return rates[1]


class RedisServer:
    """A throwaway redis-server on a free port, which can be stopped and started again."""

    def __init__(self, binary, folder):
        self.binary, self.folder, self.port = binary, folder, free_port()

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def redis_restart(data_dir, static_root, pages):
    """The load test against gunicorn with its cache in Redis, which is stopped a third of the
    way through and started again (empty) at two thirds: no request may fail."""
    binary = shutil.which("redis-server")
    if binary is None:
        log("Redis restart: redis-server is not installed; skipped")
        return None
    redis = RedisServer(binary, data_dir)
    redis.start()
    env = django_env(
        data_dir, static_root, BENCH_CACHE="on", REDIS_URL=f"redis://127.0.0.1:{redis.port}/0"
    )
    try:
        with Server(env) as server, ThreadPoolExecutor(1) as pool:
            for page in pages.values():
                server.get(page["url"])  # in Redis, for every worker
            running = pool.submit(load_test, server, pages, data_dir)
            time.sleep(STRESS_SECONDS / 3)
            redis.stop()
            log("Redis restart: Redis stopped…")
            time.sleep(STRESS_SECONDS / 3)
            redis.start()
            log("Redis restart: Redis started again…")
            return running.result()
    finally:
        redis.stop()


def milliseconds(value):
    """wrk's "812.00us", "12.34ms" or "1.20s" in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def front_report(front, label):
    lines = [
        f"\n## Through the front cache ({label}, Varnish with deploy/varnish/jugan.vcl)\n",
        "Each against the same bytes as a plain file sent by Varnish itself (read once, copied into "
        f"each response), median of {RATIO_ROUNDS} alternating rounds:",
    ]
    for name, share in front["shares"].items():
        rounds = ", ".join(f"{each:.0%}" for each in share["shares"])
        lines.append(
            f"- {name} ({share['bytes']:,} bytes): {rate(share['rate'])} req/s, plain file "
            f"{rate(share['floor'])} req/s: "
            f"{share['share']:.0%} (rounds {rounds}; target ≥ {FRONT_TARGETS['share']:.0%})"
        )
    if front.get("nginx_week"):
        week = front["shares"]["week"]
        lines.append(
            f"- for reference, nginx sending the week page's bytes as a file (sendfile, no "
            f"cache): {rate(front['nginx_week'])} req/s, which the week page through Varnish "
            f"reaches at {week['rate'] / front['nginx_week']:.0%}"
        )
    load, p = front["load"], front["load"]["percentiles"]
    lines.append(
        f"\nLoad test through the front cache: {STRESS_CLIENTS} clients for {STRESS_SECONDS} s "
        f"over {load['paths']} pages and feeds: {load['requests']:,} requests, "
        f"{rate(load['rate'])} req/s, {load['errors']} errors; latency p50 {p.get(50)}, "
        f"p75 {p.get(75)}, p90 {p.get(90)}, p99 {p.get(99)} (target: 0 errors, p99 ≤ "
        f"{FRONT_TARGETS['p99_ms']} ms)."
    )
    return lines


def front_failures(front):
    failures = []
    for name, share in front["shares"].items():
        if share["share"] < FRONT_TARGETS["share"]:
            failures.append(f"front cache: {name} at {share['share']:.0%} of the plain file")
        if share["errors"]:
            failures.append(f"front cache: {name} had errors under load")
    load = front["load"]
    if load["errors"]:
        failures.append(f"front cache: the load test had {load['errors']} errors")
    p99 = milliseconds(load["percentiles"][99])
    if p99 > FRONT_TARGETS["p99_ms"]:
        failures.append(f"front cache: the load test's p99 is {p99:.1f} ms")
    return failures


def rate(value):
    return f"{value:,.0f}"


def search_report(results):
    lines = [
        f"\nSearch only (BENCH_SEARCH_ONLY=1), uncached, median and p95 of up to "
        f"{LATENCY_REQUESTS} sequential requests; SQLite.",
    ]
    for result in results:
        lines += [
            f"\n## {result['label']} (seeded in {result['seed_seconds']:.1f} s)\n",
            "| page | queries | median ms | p95 ms |",
            "|---|---:|---:|---:|",
        ]
        for name, page in result["pages"].items():
            median, p95 = page["latency"]
            lines.append(f"| {name} | {page['queries']} | {median:.1f} | {p95:.1f} |")
    return lines


def growth(results):
    """How much slower each page's median is on the largest archive than on the smallest."""
    small, large = results[0], results[-1]
    summary = ", ".join(
        f"{name} {large['pages'][name]['latency'][0] / page['latency'][0]:.2f}×"
        for name, page in small["pages"].items()
    )
    return f"\nMedian at {large['label']} over {small['label']}: {summary}."


def report(results):
    if SEARCH_ONLY:
        return "\n".join(search_report(results) + ([growth(results)] if len(results) > 1 else []))
    lines = [
        "",
        f"Machine: {os.cpu_count()} cores shared by wrk and gunicorn (config/gunicorn.py: "
        f"{WORKERS} sync workers, each with its own local-memory cache); "
        f"wrk -t{LOAD_THREADS} -c{LOAD_CONNECTIONS} for {LOAD_SECONDS} s per figure; "
        f"latency over up to {LATENCY_REQUESTS} sequential requests; SQLite.",
    ]
    for result in results:
        if FRONT_ONLY:
            continue
        lines += [
            f"\n## {result['label']} (seeded in {result['seed_seconds']:.1f} s, the posts' "
            f"Korean fragments stored in {result['render_seconds']:.1f} s)\n",
            "| page | queries | median ms | p95 ms | req/s uncached | req/s cached |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, page in result["pages"].items():
            median, p95 = page["latency"]
            lines.append(
                f"| {name} | {page['queries']} | {median:.1f} | {p95:.1f} "
                f"| {rate(page['rps_off'][0])} | {rate(page['rps_on'][0])} |"
            )
        week = result["pages"]["week"]
        lines.append(
            f"| feeds' 304 path | 1 | | | | {rate(result['not_modified']['rate'])} |\n"
            f"\nAgainst the floor ({week['bytes']:,} bytes of constant text through the same "
            f"server and middleware), median of {RATIO_ROUNDS} alternating rounds:"
        )
        for key, name, target in (
            ("week_off", "week page, uncached", "uncached"),
            ("week_on", "week page, cached", "cached"),
            ("not_modified", "feeds' 304 path", "not_modified"),
        ):
            share = result[key]
            rounds = ", ".join(f"{each:.0%}" for each in share["shares"])
            lines.append(
                f"- {name}: {rate(share['rate'])} req/s, floor {rate(share['floor'])} req/s: "
                f"{share['share']:.0%} (rounds {rounds}; target ≥ {TARGETS[target]:.0%})"
            )
        lines.append(
            "\nAgainst the static floor (the same number of bytes as a static file, sent by "
            "whitenoise in the same gunicorn), median of "
            f"{RATIO_ROUNDS} alternating rounds:"
        )
        for key, name, target in (
            ("week_static", "week page, cached", "cached"),
            ("not_modified_static", "feeds' 304 path", "not_modified"),
        ):
            share = result[key]
            rounds = ", ".join(f"{each:.0%}" for each in share["shares"])
            lines.append(
                f"- {name}: {rate(share['rate'])} req/s, static file {rate(share['floor'])} "
                f"req/s: {share['share']:.0%} (rounds {rounds}; target ≥ {TARGETS[target]:.0%})"
            )
    if len(results) > 1 and not FRONT_ONLY:
        lines.append(growth(results))
    load = results[-1].get("load")
    if load:
        p = load["percentiles"]
        lines.append(
            f"\nLoad test ({results[-1]['label']}, cached): {STRESS_CLIENTS} clients for "
            f"{STRESS_SECONDS} s over {load['paths']} pages and feeds: {load['requests']:,} "
            f"requests, {rate(load['rate'])} req/s, {load['errors']} errors; latency p50 "
            f"{p.get(50)}, p75 {p.get(75)}, p90 {p.get(90)}, p99 {p.get(99)}."
        )
    if results[-1].get("front"):
        lines += front_report(results[-1]["front"], results[-1]["label"])
    redis = results[-1].get("redis")
    if redis:
        p = redis["percentiles"]
        lines.append(
            f"\nLoad test with Redis stopped and started again ({results[-1]['label']}, gunicorn "
            f"alone, REDIS_URL): {STRESS_CLIENTS} clients for {STRESS_SECONDS} s, Redis down "
            f"for the middle third: {redis['requests']:,} requests, {rate(redis['rate'])} req/s, "
            f"{redis['errors']} errors (target 0: {redis['non_2xx']} error responses, "
            f"{redis['timeouts']} requests not answered within 10 s); latency p50 {p.get(50)}, "
            f"p99 {p.get(99)}."
        )
    return "\n".join(lines)


def check_targets(results):
    failures = []
    if results[-1].get("front"):
        failures += front_failures(results[-1]["front"])
    if results[-1].get("redis", {}) and results[-1]["redis"]["errors"]:
        failures.append(f"Redis restart: {results[-1]['redis']['errors']} errors under load")
    if FRONT_ONLY:
        return failures
    for result in results:
        label, pages = result["label"], result["pages"]
        for name, page in pages.items():
            if page["status"] != 200:
                failures.append(f"{label}: {name} answered {page['status']}")
            if page["queries"] > TARGETS["queries"]:
                failures.append(f"{label}: {name} runs {page['queries']} queries (> 10)")
            errors = 0 if SEARCH_ONLY else page["rps_off"][1] + page["rps_on"][1]
            if errors:
                failures.append(f"{label}: {name} had {errors} errors under load")
        shares = () if SEARCH_ONLY else (("week_off", "uncached"), ("week_on", "cached"), ("not_modified", "not_modified"), ("week_static", "cached"), ("not_modified_static", "not_modified"))  # fmt: skip
        for key, target in shares:
            share = result[key]["share"]
            if share < TARGETS[target]:
                failures.append(f"{label}: {key.replace('_', ' ')} at {share:.0%} of the floor")
            if result[key]["errors"]:
                failures.append(f"{label}: {key.replace('_', ' ')} had errors under load")
        if result.get("load", {}).get("errors"):
            failures.append(f"{label}: the load test had {result['load']['errors']} errors")
    if len(results) > 1:
        small, large = results[0], results[-1]
        for name, page in small["pages"].items():
            ratio = large["pages"][name]["latency"][0] / page["latency"][0]
            if ratio > TARGETS["growth"]:
                failures.append(
                    f"{name}: median {ratio:.2f}× from {small['label']} to {large['label']}"
                )
    return failures


def main():
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk (Debian: apt-get install wrk)")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jugan-bench-static-") as static_root:
        run(
            [PYTHON, "manage.py", "collectstatic", "--no-input"],
            django_env(static_root, static_root),
        )
        results = [measure_variant(weeks, static_root) for weeks in WEEKS]
    print(report(results))
    failures = check_targets(results)
    print("\nTargets:", "all met" if not failures else f"{len(failures)} missed")
    for failure in failures:
        print(f"  MISSED {failure}")
    print(f"\n(make bench took {time.perf_counter() - started:.0f} s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
