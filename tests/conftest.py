from pathlib import Path

import pytest
from django.conf import settings

from tests import factories

SHARED_SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "samples" / "2021-w05-tensorflowkr.md"


@pytest.fixture
def tensorflowkr_sample():
    """The hand-written round-up our users start from; it lives outside the repository."""
    if not SHARED_SAMPLE.exists():
        pytest.skip(f"the shared sample is not at {SHARED_SAMPLE} (CI provides ../shared)")
    return SHARED_SAMPLE


@pytest.fixture
def published_week(db):
    return factories.make_published_week()


@pytest.fixture
def round_up_week(db):
    return factories.make_round_up_week()


@pytest.fixture
def curator(db):
    return factories.make_user("curator", curator=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def staff_client(client, db):
    client.force_login(factories.make_user("staff", staff=True))
    return client
