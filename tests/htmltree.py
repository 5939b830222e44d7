"""HTML read back with the standard library's parser, so tests check elements, not substrings."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)
    parent: "Element | None" = field(default=None, repr=False)

    @property
    def text(self):
        return "".join(child if isinstance(child, str) else child.text for child in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        """Descendants with this tag (any when None) whose attributes hold these values;
        `class_` matches one of the classes."""
        wanted = {name.rstrip("_"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(element.has(name, value) for name, value in wanted.items())
        ]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def has(self, name, value):
        actual = self.attrs.get(name)
        if name == "class" and actual is not None:
            return value in actual.split()
        return actual == value


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(element)
        if tag not in VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Element(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        )

    def handle_endtag(self, tag):
        # Close up to the matching open element; a stray end tag closes nothing.
        element = self.current
        while element is not None and element.tag != tag:
            element = element.parent
        if element is not None and element.parent is not None:
            self.current = element.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(html):
    builder = _TreeBuilder()
    builder.feed(html if isinstance(html, str) else html.decode())
    builder.close()
    return builder.root


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

    for element in form.iter():
        name = element.attrs.get("name")
        if not name or "disabled" in element.attrs:
            continue
        if element.tag == "input":
            kind = element.attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"}:
                if "checked" in element.attrs:
                    add(name, element.attrs.get("value", "on"))
                continue
            add(name, element.attrs.get("value", ""))
        elif element.tag == "textarea":
            # The parser keeps the newline after <textarea>, which browsers drop.
            add(name, element.text.removeprefix("\n"))
        elif element.tag == "select":
            options = element.find_all("option")
            chosen = [option for option in options if "selected" in option.attrs]
            if not chosen and options and "multiple" not in element.attrs:
                chosen = options[:1]
            for option in chosen:
                add(name, option.attrs.get("value", option.text))
    return values


def admin_form_values(response):
    """The values an admin change or add form would submit as it stands."""
    assert response.status_code == 200
    root = parse_html(response.content)
    return form_values(root.find("form", id=f"{response.context['opts'].model_name}_form"))


def error_messages(response):
    """The text of every form error the page shows."""
    root = parse_html(response.content)
    return [
        item.text
        for errors in root.find_all("ul", class_="errorlist")
        for item in errors.find_all("li")
    ]
