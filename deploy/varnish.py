"""Varnish in front of Jugan: `make serve-cached` runs `python -m deploy.varnish`, and the front
cache's tests and `make bench` start it the same way.

`python -m deploy.varnish` starts gunicorn (config/gunicorn.py) on APP_BIND (127.0.0.1:8001)
with FRONT_CACHE_PURGE_URLS pointing at the cache, and Varnish on BIND (127.0.0.1:8000) with
deploy/varnish/jugan.vcl and VARNISH_MEMORY (256m) of cache; Ctrl-C stops both.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VCL_DIR = ROOT / "deploy" / "varnish"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


def available():
    return os.access(VARNISHD, os.X_OK)


def split_address(address):
    host, _colon, port = address.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def wait_for(host, port, process, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped at start (exit status {process.returncode})")
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {host}:{port} within {seconds} s")


class Varnish:
    """varnishd in the foreground, in a working folder of its own, in front of `backend`
    (host:port). `vcl` may name a top-level VCL of the caller's that includes jugan.vcl."""

    def __init__(self, listen, backend, *, memory="256m", vcl=None, workdir=None):
        self.host, self.port = split_address(listen)
        self.backend = split_address(backend)
        self.memory = memory
        self.vcl = Path(vcl or VCL_DIR / "jugan.vcl")
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="jugan-varnish-"))
        self.process = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def __enter__(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        host, port = self.backend
        (self.workdir / "backend.vcl").write_text(
            f'backend django {{ .host = "{host}"; .port = "{port}"; '
            ".connect_timeout = 1s; .first_byte_timeout = 30s; }\n"
            'acl purgers { "127.0.0.1"; "::1"; }\n'
        )
        self.process = subprocess.Popen(
            [
                VARNISHD,
                "-F",  # in the foreground, so that stopping this process stops Varnish
                "-n", str(self.workdir / "instance"),
                "-j", "none",  # no privilege separation: the working folder is this user's
                "-a", f"{self.host}:{self.port}",
                "-T", "127.0.0.1:0",
                "-p", f"vcl_path={self.workdir}:{VCL_DIR}",
                "-p", "ban_lurker_sleep=0.1",
                "-f", str(self.vcl),
                "-s", f"malloc,{self.memory}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            wait_for(self.host, self.port, self.process, "varnishd")
        except RuntimeError as error:
            self.process.kill()
            raise RuntimeError(f"{error}: {self.process.stderr.read().decode()[-2000:]}") from None
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def main():
    listen = os.environ.get("BIND", "127.0.0.1:8000")
    app = os.environ.get("APP_BIND", "127.0.0.1:8001")
    if not available():
        sys.exit("make serve-cached needs Varnish (Debian: apt-get install varnish)")
    host, port = split_address(listen)
    env = {
        **os.environ,
        "BIND": app,
        "FRONT_CACHE_PURGE_URLS": os.environ.get(
            "FRONT_CACHE_PURGE_URLS", f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}/"
        ),
    }
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--config", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    try:
        wait_for(*split_address(app), gunicorn, "gunicorn")
        with Varnish(listen, app, memory=os.environ.get("VARNISH_MEMORY", "256m")) as varnish:
            print(f"Varnish on {varnish.url}/ in front of gunicorn on http://{app}/", flush=True)
            while not stop and gunicorn.poll() is None and varnish.process.poll() is None:
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)


if __name__ == "__main__":
    main()
