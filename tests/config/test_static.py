"""Static files in production: collectstatic writes hashed, compressed copies, and WhiteNoise
serves them compressed with a cache lifetime of years (their name changes with their content)."""

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from tests.html import parse

PRODUCTION_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic as `make serve` runs it, with the production storage, into a temporary
    STATIC_ROOT that WhiteNoise then serves from (no finders, no autorefresh: as in production).
    Once for the module: compressing every file takes seconds."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=PRODUCTION_STORAGE,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def hashed_stylesheet(root):
    (path,) = (root / "css").glob("site.*.css")
    assert re.fullmatch(r"site\.[0-9a-f]{12}\.css", path.name)
    return path


def test_collectstatic_writes_hashed_files_with_gzip_and_brotli_copies(collected):
    stylesheet = hashed_stylesheet(collected)

    assert stylesheet.with_name(stylesheet.name + ".gz").exists()
    assert stylesheet.with_name(stylesheet.name + ".br").exists()
    assert (collected / "staticfiles.json").exists()


def test_pages_link_the_hashed_stylesheet(collected, db):
    page = parse(Client().get("/no/such/page/"), status=404)

    assert page.select_one("link[rel=stylesheet]")["href"] == (
        f"/static/css/{hashed_stylesheet(collected).name}"
    )


@pytest.mark.parametrize(("encoding", "expected"), [("br", "br"), ("gzip", "gzip")])
def test_a_hashed_file_is_served_compressed_and_cached_for_years(collected, encoding, expected):
    url = f"/static/css/{hashed_stylesheet(collected).name}"

    response = Client().get(url, headers={"accept-encoding": encoding})

    assert response.status_code == 200
    assert response["Content-Encoding"] == expected
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control
    assert int(re.search(r"max-age=(\d+)", cache_control)[1]) >= 365 * 24 * 3600
