"""The real tools some tests drive (Chromium, newsboat, Java, npm): absent on a laptop, the
tests skip with the reason; CI sets JUGAN_REQUIRE_BROWSER=1, which turns the same reason into
a failure, so a missing tool can never pass for a passing test there."""

import os

import pytest


def unavailable(reason):
    """Skip on a laptop without the tool; fail where CI promised to have it."""
    if os.environ.get("JUGAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and JUGAN_REQUIRE_BROWSER=1 says this machine must run them")
    pytest.skip(reason)
