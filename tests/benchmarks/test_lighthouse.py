"""`make lighthouse` without Lighthouse: the server it audits starts, and its gate judges scores.

Lighthouse itself runs in CI (`.ci/run`); these keep the script from breaking silently between
runs, when benchmarks/run.py or the apps it starts change under it.
"""

import re

import pytest

from benchmarks import lighthouse


def test_the_demo_site_serves_every_page_lighthouse_audits(tmp_path, monkeypatch):
    # As in CI's PostgreSQL pass: the demo still goes into the temporary folder only.
    monkeypatch.setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/nowhere")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")

    with lighthouse.demo_site(tmp_path) as (server, pages):
        assert set(pages) == {"home", "week", "search"}
        assert re.fullmatch(r"/\d{4}/w\d{2}/", pages["week"])
        assert {name: server.get(path) for name, path in pages.items()} == dict.fromkeys(pages, 200)
        # Production static files: hashed and compressed by collectstatic, served by whitenoise.
        assert (tmp_path / "static" / "staticfiles.json").exists()


def lighthouse_report(failed=()):
    """A Lighthouse report cut down to what the gate reads: every category passes but for the
    audits in `failed`."""
    categories = {
        "performance": ["largest-contentful-paint", "total-blocking-time"],
        "accessibility": ["color-contrast", "image-alt"],
        "best-practices": ["errors-in-console", "valid-source-maps"],
        "seo": ["is-crawlable", "document-title", "link-text"],
    }
    report = {"categories": {}, "audits": {}}
    for category, audits in categories.items():
        refs = [{"id": audit, "weight": 1} for audit in audits]
        passed = [audit for audit in audits if audit not in failed]
        # An informative audit (weight 0) never costs points, pass or fail.
        refs.append({"id": f"{category}-informative", "weight": 0})
        report["audits"][f"{category}-informative"] = {"score": 0}
        report["categories"][category] = {"score": len(passed) / len(audits), "auditRefs": refs}
        report["audits"].update({audit: {"score": int(audit in passed)} for audit in audits})
    return report


@pytest.mark.parametrize(
    ("failed", "failures"),
    [
        ([], []),
        (["is-crawlable"], ["seo 67: is-crawlable (0)"]),
        (["color-contrast"], ["accessibility 50: color-contrast (0)"]),
        (["is-crawlable", "link-text"], ["seo 33: is-crawlable (0), link-text (0)"]),
        (["total-blocking-time"], ["performance 50: total-blocking-time (0)"]),
    ],
)
def test_the_gate_fails_below_100_naming_the_audits_that_cost_it(failed, failures):
    scores, got_failures = lighthouse.judge(lighthouse_report(failed))

    assert got_failures == failures
    assert (min(scores.values()) == 100) == (not failed)


@pytest.mark.parametrize(
    ("runs", "judged", "measured"),
    [
        ([[]], 100, [100]),
        # A slow first run on a busy machine is outvoted by the next four…
        (
            [["total-blocking-time"], [], ["total-blocking-time"], [], []],
            100,
            [50, 100, 50, 100, 100],
        ),
        # …but a page that is slow most of the time fails.
        (
            [["total-blocking-time"], [], ["total-blocking-time"], [], ["total-blocking-time"]],
            50,
            [50, 100, 50, 100, 50],
        ),
    ],
)
def test_a_performance_shortfall_is_confirmed_by_the_median_of_five_runs(
    monkeypatch, runs, judged, measured
):
    reports = iter(lighthouse_report(failed) for failed in runs)
    monkeypatch.setattr(lighthouse, "audit", lambda url, form_factor, path: next(reports))

    report, performance = lighthouse.measure("http://127.0.0.1/", "mobile", "home-mobile")

    assert lighthouse.scores(report)["performance"] == judged
    assert performance == measured
    assert next(reports, None) is None
