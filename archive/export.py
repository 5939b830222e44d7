"""A week as Markdown in the shape of the hand-written round-ups, so it can be cross-posted.

The inverse of `archive.importing` (whose docstring describes the shape): the title heading, the
intro, per post a `### N. title` heading, the date line `2021년 2월 1일/ [게시물 링크](url)`, the
summary and commentary, a `주제:` line with its topics; horizontal rules between the items and
before the outro. Where the importer would not infer a post by itself, the export says it
explicitly: a `<!-- commentary -->` marker (invisible on a blog) when the commentary is not
simply the last paragraph, a `링크:` line listing every link in order (or `없음`) when the
text's own links differ from the post's, and a date line even under sub-items that say another date. So a
hand-written week comes out in its own shape, and importing any export gives back the same
titles, dates, sources, links, labels, topics and text.
"""

from taggit.utils import edit_string_for_tags

from archive.importing import COMMENTARY_MARKER, first_subitem, links_in, split_commentary


def week_markdown(week, posts) -> str:
    """`posts` (a Post queryset) are the ones to include: the caller decides who reads what."""
    posts = (
        posts.in_reading_order()
        .select_related("source")
        .prefetch_related("topics", "post_links__link")
    )
    blocks = [f"# {week.title or week.korean_label}"]
    if week.intro.strip():
        blocks.append(_text(week.intro))
    for number, post in enumerate(posts, start=1):
        blocks += ["---", _post_markdown(number, post)]
    if week.outro.strip():
        blocks += ["---", _text(week.outro)]
    return "\n\n".join(blocks) + "\n"


def date_line(day, source_url=None):
    line = f"{day.year}년 {day.month}월 {day.day}일"
    return f"{line}/ [게시물 링크]({source_url})" if source_url else line


def _post_markdown(number, post):
    source_url = post.source.normalized_url if post.source else None
    summary, commentary = _text(post.summary), _text(post.commentary)
    text = "\n\n".join(part for part in (summary, commentary) if part)
    blocks = [f"### {number}. {post.title}"]
    subitem = first_subitem(summary)
    if not subitem or (subitem.posted_on, subitem.source_url) != (post.posted_on, source_url):
        blocks.append(date_line(post.posted_on, source_url))
    if split_commentary(text) == (summary, commentary):
        blocks.append(text)
    else:
        blocks += [part for part in (summary, COMMENTARY_MARKER, commentary) if part]
    links = [
        (post_link.link.normalized_url, post_link.label) for post_link in post.post_links.all()
    ]
    found = links_in(text, source_url)
    if found is None or [(link.url, link.label) for link in found] != links:
        listed = " · ".join(_link(url, label) for url, label in links)
        blocks.append(f"링크: {listed or '없음'}")
    if topics := post.topics.all():
        blocks.append("주제: " + edit_string_for_tags(topics))
    return "\n\n".join(blocks)


def _link(url, label):
    return f"[{label}]({url})" if label else f"<{url}>"


def _text(markdown):
    return markdown.replace("\r\n", "\n").strip()
