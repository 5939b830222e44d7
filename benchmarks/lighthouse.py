"""`make lighthouse`: Lighthouse's four scores for home and the week page, on a phone and a desktop.

The demo archive is loaded into a temporary folder and served by gunicorn with the production
settings (DEBUG off, hashed and compressed static files) over plain HTTP on loopback, as
`make bench` serves it. Lighthouse drives Debian's Chromium (CHROME_PATH) and writes each full
report beside the table, in the temporary folder, which is kept only with LIGHTHOUSE_KEEP=1.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.chromium import CHROMIUM_ARGS
from benchmarks.run import PYTHON, ROOT, Server, django_env, run

LIGHTHOUSE = ROOT / "benchmarks" / "node" / "node_modules" / ".bin" / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = " ".join(["--headless=new", *CHROMIUM_ARGS])
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# Lighthouse's mobile run is its default (a mid-range phone on a throttled network).
FORM_FACTORS = {"mobile": [], "desktop": ["--preset=desktop"]}

NEWEST_WEEK = (
    "from archive.models import Week;"
    "print(Week.objects.published().newest_first().first().get_absolute_url())"
)


def audit(url, form_factor, report_path):
    """One Lighthouse run; returns its category scores out of 100."""
    finished = subprocess.run(
        [
            LIGHTHOUSE,
            url,
            "--output=json",
            f"--output-path={report_path}",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--only-categories={','.join(CATEGORIES)}",
            *FORM_FACTORS[form_factor],
        ],
        env={**os.environ, "CHROME_PATH": CHROME_PATH},
        capture_output=True,
        text=True,
    )
    if finished.returncode:
        # Its progress log is long; it is only worth reading when the run failed.
        sys.exit(f"Lighthouse failed on {url} ({form_factor}):\n{finished.stderr[-4000:]}")
    report = json.loads(Path(report_path).read_text())
    return {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}


def main():
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `make lighthouse` (it runs npm ci first)")
    if not Path(CHROME_PATH).exists():
        sys.exit(f"no Chromium at {CHROME_PATH} (apt-get install chromium, or set CHROME_PATH)")
    data_dir = Path(tempfile.mkdtemp(prefix="jugan-lighthouse-"))
    try:
        env = django_env(data_dir)
        run([PYTHON, "manage.py", "migrate", "--no-input"], env)
        run([PYTHON, "manage.py", "collectstatic", "--no-input"], env)
        run([PYTHON, "manage.py", "loaddemo"], env)
        week = run([PYTHON, "manage.py", "shell", "--verbosity", "0", "-c", NEWEST_WEEK], env)
        pages = {"home": "/", "week": week.strip()}
        rows = []
        with Server(env) as server:
            for name, path in pages.items():
                for form_factor in FORM_FACTORS:
                    url = f"http://127.0.0.1:{server.port}{path}"
                    scores = audit(url, form_factor, data_dir / f"{name}-{form_factor}.json")
                    rows.append((f"{name} ({path})", form_factor, scores))
        print(f"\n| page | device | {' | '.join(CATEGORIES)} |")
        print(f"|---|---|{'---:|' * len(CATEGORIES)}")
        for page, form_factor, scores in rows:
            print(f"| {page} | {form_factor} | {' | '.join(str(scores[c]) for c in CATEGORIES)} |")
        if os.environ.get("LIGHTHOUSE_KEEP") == "1":
            print(f"\nFull reports: {data_dir}")
    finally:
        if os.environ.get("LIGHTHOUSE_KEEP") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
