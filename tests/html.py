"""Pages read the way a browser reads them: parsed into a tree and queried with CSS selectors,
so tests check structure (this link inside that post) rather than substrings of markup."""

from bs4 import BeautifulSoup


def parse(response, status=200):
    assert response.status_code == status, response.status_code
    assert response["Content-Type"].startswith("text/html")
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(element):
    """The element's text as a reader sees it: whitespace runs collapsed to one space."""
    return " ".join(element.get_text(" ").split())


def texts(soup, selector):
    return [text(element) for element in soup.select(selector)]
