"""Pages and forms read the way a browser reads them: parsed into a tree and queried with CSS
selectors or by element, so tests check structure (this link inside that post) rather than
substrings of markup. The one HTML reader of the test suite."""

from bs4 import BeautifulSoup


def parse_html(markup):
    """Any HTML (a page, a fragment, bytes or text) as a tree."""
    if isinstance(markup, bytes):
        markup = markup.decode()
    return BeautifulSoup(markup, "html.parser")


def parse(response, status=200):
    """A response's page, after checking its status and that it is HTML."""
    assert response.status_code == status, response.status_code
    assert response["Content-Type"].startswith("text/html")
    return parse_html(response.content)


def text(element):
    """The element's text as a reader sees it: whitespace runs collapsed to one space."""
    return " ".join(element.get_text(" ").split())


def texts(soup, selector):
    return [text(element) for element in soup.select(selector)]


def form_values(form):
    """What a browser would submit for this form element, as {name: value or [values]},
    before any button is pressed."""
    values = {}

    def add(name, value):
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value

    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "input":
            kind = element.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"}:
                if element.has_attr("checked"):
                    add(name, element.get("value", "on"))
                continue
            add(name, element.get("value", ""))
        elif element.name == "textarea":
            # The parser keeps the newline after <textarea>, which browsers drop.
            add(name, element.get_text().removeprefix("\n"))
        else:
            options = element.find_all("option")
            chosen = [option for option in options if option.has_attr("selected")]
            if not chosen and options and not element.has_attr("multiple"):
                chosen = options[:1]
            for option in chosen:
                add(name, option.get("value", option.get_text()))
    return values


def admin_form_values(response):
    """The values an admin change or add form would submit as it stands."""
    assert response.status_code == 200
    root = parse_html(response.content)
    return form_values(root.find("form", id=f"{response.context['opts'].model_name}_form"))


def error_messages(response):
    """The text of every form error the page shows."""
    root = parse_html(response.content)
    return [item.get_text() for item in root.select("ul.errorlist li")]
