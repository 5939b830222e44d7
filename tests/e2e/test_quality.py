"""Quality gates on every page a reader or curator opens: axe-core finds no serious or critical
accessibility violation, the Nu HTML Checker finds no error, and (through the `new_context`
fixture) nothing logs an error, fails to load, or calls a host outside this machine."""

import pytest

from tests.e2e.pages import CURATOR_PAGES, READER_PAGES, visit
from tests.e2e.sign_in import SIGN_IN_PAGES, open_sign_in_page

pytestmark = pytest.mark.browser

# Readers arrive in either language and either colour scheme; the curator's admin has one look.
LOCALES = ["ko-KR", "en-US"]
SCHEMES = ["light", "dark"]
SEEN_AS = [(name, scheme) for name in READER_PAGES for scheme in SCHEMES] + [
    (name, "light") for name in [*CURATOR_PAGES, *SIGN_IN_PAGES]
]


def open_page(page, log_in, name, site, curator):
    """Opens a page by name, logged in as a curator for the admin's; returns the served HTML."""
    if name in SIGN_IN_PAGES:
        return open_sign_in_page(page, name, log_in)
    if name in CURATOR_PAGES:
        log_in(page.context, curator)
        return visit(page, CURATOR_PAGES[name](site))
    return visit(page, READER_PAGES[name](site))


@pytest.mark.parametrize(("name", "scheme"), SEEN_AS)
def test_no_serious_accessibility_violations(new_context, log_in, axe, site, curator, name, scheme):
    page = new_context(bypass_csp=True, color_scheme=scheme).new_page()
    open_page(page, log_in, name, site, curator)
    assert axe(page) == []


def test_every_page_is_valid_html(new_context, log_in, nu_html_errors, site, curator):
    # A fresh context each, so only the admin's pages are seen logged in.
    pages = {
        f"{name} {locale}": open_page(
            new_context(locale=locale).new_page(), log_in, name, site, curator
        )
        for name in [*READER_PAGES, *CURATOR_PAGES, *SIGN_IN_PAGES]
        for locale in LOCALES
    }
    assert nu_html_errors(pages) == []
