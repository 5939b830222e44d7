"""The pages the browser tests open, and what they measure in them."""

import os
from pathlib import Path
from urllib.parse import urlencode

# Each page, as a path built from the `site` fixture's data.
READER_PAGES = {
    "home": lambda site: "/",
    "archive": lambda site: "/weeks/",
    "week": lambda site: site.week.get_absolute_url(),
    "post": lambda site: site.post.get_absolute_url(),
    "topics": lambda site: "/topics/",
    "topic": lambda site: f"/topics/{site.topic.slug}/",
    "search": lambda site: "/search/?q=모델",
    "feeds": lambda site: "/feeds/",
    "about": lambda site: "/about/",
}
# Seen logged in as a curator.
CURATOR_PAGES = {
    "admin post form": lambda site: "/admin/archive/post/add/",
    # With who added, edited and published it at the top (archive/history.py).
    "admin post change": lambda site: f"/admin/archive/post/{site.post.pk}/change/",
    # The bookmarklet on a page a post already features: the form says so.
    "admin post form, already featured": lambda site: (
        "/admin/archive/post/add/?"
        + urlencode(
            {"url": site.post.links.first().url, "title": site.post.title, "text": "새 인용입니다"}
        )
    ),
    "admin link page": lambda site: f"/admin/archive/link/{site.post.links.first().pk}/change/",
    # What publishing the week sends out, before it does (archive/services.py).
    "admin week publishing": lambda site: f"/admin/archive/week/{site.week.pk}/publish/",
    # The week in progress on one page, and a week started by a day (archive/admin.py).
    "admin week board": lambda site: f"/admin/archive/week/{site.week.pk}/board/",
    "admin new week": lambda site: "/admin/archive/week/add/",
    "admin week change": lambda site: f"/admin/archive/week/{site.week.pk}/change/",
    # With the week boards in progress.
    "admin home": lambda site: "/admin/",
}

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}

# The elements that stick out past the right edge of the viewport, innermost first: a phone
# reader would have to scroll sideways to read them. Empty when the page fits.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const sticksOut = (element) => element.getBoundingClientRect().right > width + 0.5;
  return [...document.body.querySelectorAll('*')]
    .filter((element) => sticksOut(element) && ![...element.children].some(sticksOut))
    .slice(0, 5)
    .map((element) => element.tagName.toLowerCase()
      + (element.id ? '#' + element.id : '')
      + (element.className ? '.' + String(element.className).split(' ').join('.') : '')
      + ` (right edge at ${Math.round(element.getBoundingClientRect().right)}px of ${width})`);
}"""

# The colour behind the text: the first opaque background from <body> up, else the canvas
# (what the browser paints when the page sets none, which color-scheme can darken).
BACKGROUND = """() => {
  const transparent = (colour) => colour === 'transparent' || colour === 'rgba(0, 0, 0, 0)';
  for (let element = document.body; element; element = element.parentElement) {
    const colour = getComputedStyle(element).backgroundColor;
    if (!transparent(colour)) return colour;
  }
  const probe = document.createElement('div');
  probe.style.backgroundColor = 'Canvas';
  document.body.append(probe);
  const canvas = getComputedStyle(probe).backgroundColor;
  probe.remove();
  return canvas;
}"""

# The links a reader can see, by their position among all a[href] on the page; not those in
# the folded part of a closed <details>, which has boxes but is not rendered (checkVisibility).
VISIBLE_LINKS = """() => [...document.querySelectorAll('a[href]')]
  .map((link, index) => ({index, text: link.textContent.trim(), href: link.href,
                          shown: link.getClientRects().length > 0 && link.checkVisibility()}))
  .filter((link) => link.shown)"""

# The element holding keyboard focus, and whether the focus is drawn (outline or box-shadow).
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const opaque = (colour) => colour !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(colour);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    && opaque(style.outlineColor);
  return {
    link: [...document.querySelectorAll('a[href]')].indexOf(element),
    tag: element.tagName,
    text: (element.textContent || element.value || '').trim().slice(0, 60),
    focusVisible: element.matches(':focus-visible'),
    drawn: outline || style.boxShadow !== 'none',
  };
}"""


def visit(page, path):
    """Opens a path and returns the HTML exactly as served."""
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    return response.text()


def tab_through(page):
    """Presses Tab from the top of the page until focus leaves it or comes back round; returns
    what held focus after each press."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    limit = page.evaluate("() => document.querySelectorAll('a, button, input, select, textarea, summary,"
                          " [tabindex]').length") + 2  # fmt: skip
    stops = []
    for _press in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "BODY" or (stops and focused == stops[0]):
            break
        stops.append(focused)
    return stops


def screenshot_folder():
    """Where screenshots go (JUGAN_SCREENSHOTS), or None to take none."""
    folder = os.environ.get("JUGAN_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)
