"""Quality gates on every page a reader or curator opens: axe-core finds no serious or critical
accessibility violation, the Nu HTML Checker finds no error, and (through the `page` fixture)
nothing logs an error, fails to load, or calls a host outside this machine."""

import pytest

from tests import factories
from tests.e2e.pages import CURATOR_PAGES, READER_PAGES, visit

pytestmark = pytest.mark.browser


def open_page(page, log_in, name, site):
    """Opens a page by name, logged in as a curator for the admin's; returns the served HTML."""
    if name in CURATOR_PAGES:
        log_in(page.context, factories.make_user(f"curator-{name}", curator=True))
        return visit(page, CURATOR_PAGES[name](site))
    return visit(page, READER_PAGES[name](site))


@pytest.mark.parametrize("name", [*READER_PAGES, *CURATOR_PAGES])
def test_no_serious_accessibility_violations(new_context, log_in, axe, site, name):
    page = new_context(bypass_csp=True).new_page()
    open_page(page, log_in, name, site)
    assert axe(page) == []


def test_every_page_is_valid_html(new_context, log_in, nu_html_errors, site):
    # A fresh context each, so only the admin's pages are seen logged in.
    pages = {
        name: open_page(new_context().new_page(), log_in, name, site)
        for name in [*READER_PAGES, *CURATOR_PAGES]
    }
    assert nu_html_errors(pages) == []
