"""The mails Jugan sends: a week's edition for one subscriber, and the confirmation mail.

A week's mail is rendered once per edition (language and topic choice) by a sender, not once per
subscriber: only the unsubscribe address differs between two mails of one edition, filled in
last. The HTML part has its CSS inlined (css-inline), since many mail clients drop <style>; the
dark-mode rules stay in a <style> (they cannot be inlined) for the clients that read them. No
image is needed: there is none. Every link is absolute, as a mail has no address of its own.
"""

import binascii
import re
from dataclasses import dataclass
from email.header import Header
from email.mime.base import MIMEBase
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit

import css_inline
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from archive.subscriptions import confirm_token, unsubscribe_token

UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%"  # filled per subscriber; never in curated text
INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
BLOCKS = re.compile(r"\n{3,}")


class Mail(EmailMultiAlternatives):
    """Django folds a long non-ASCII subject as `Subject:` + a newline + encoded words, which
    parsers read back with a leading space; encoded knowing its header's name, the first
    encoded word stays on the Subject line."""

    def message(self, **kwargs):
        message = super().message(**kwargs)
        del message["Subject"]
        encoded = Header(str(self.subject), "utf-8", header_name="Subject").encode()
        MIMEBase.__setitem__(message, "Subject", encoded)  # already encoded: no second pass
        return message


def site_address(path):
    return urljoin(settings.SITE_URL + "/", path)


def absolute_links(html):
    """Every href made absolute against SITE_URL (curated text links pages of the site by path)."""
    soup = BeautifulSoup(html, "html.parser")
    for anchor in soup.find_all("a", href=True):
        anchor["href"] = site_address(anchor["href"])
    return str(soup)


def html_to_text(html):
    """Curated HTML as the plain-text part shows it: paragraphs, list items, and each link's
    address after its words."""
    soup = BeautifulSoup(html, "html.parser")
    for anchor in soup.find_all("a", href=True):
        words, href = anchor.get_text(), site_address(anchor["href"])
        anchor.replace_with(words if words == href else f"{words} <{href}>")
    for item in soup.find_all("li"):
        item.insert(0, "- ")
    for block in soup.find_all(["p", "li", "blockquote", "pre", "h2", "h3", "h4", "tr", "br"]):
        block.append("\n")
    return BLOCKS.sub("\n\n", soup.get_text()).strip()


def unsubscribe_address(subscriber, token=None):
    with translation.override(subscriber.language):
        token = token or unsubscribe_token(subscriber)
        path = reverse("digest:unsubscribe", kwargs={"token": token})
    return site_address(path)


def confirm_address(subscriber):
    with translation.override(subscriber.language):
        path = reverse("digest:subscribe_confirm", kwargs={"token": confirm_token(subscriber)})
    return site_address(path)


def mail_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def week_subject(week):
    """`[Jugan 주간] 2021년 2월 1주차 — title` in Korean, the English label in English; the week's
    own title only when it has one."""
    label = week.label
    title = week.title.strip()
    return (
        f"[{settings.SITE_NAME}] {label} — {title}" if title else f"[{settings.SITE_NAME}] {label}"
    )


@dataclass(frozen=True)
class Edition:
    """A week's mail for one language and topic choice, the unsubscribe address left open."""

    subject: str
    text: str
    html: str
    posts: int


def week_edition(week, language, topic_ids=frozenset()):
    """The edition, or None when none of the week's published posts is about these topics
    (no topics: every post)."""
    posts = week.posts.published().in_reading_order().for_display()
    if topic_ids:
        posts = posts.filter(topics__in=topic_ids).distinct()
    posts = list(posts)
    if not posts:
        return None
    with translation.override(language):
        items = [
            {
                "post": post,
                "url": site_address(post.get_absolute_url()),
                "summary_html": absolute_links(post.summary_html),
                "summary_text": html_to_text(post.summary_html),
                "commentary_html": absolute_links(post.commentary_html),
                "commentary_text": html_to_text(post.commentary_html),
                "links": [
                    (post_link.label or post_link.link.title or post_link.link.url, post_link.link)
                    for post_link in post.post_links.all()
                ],
            }
            for post in posts
        ]
        context = {
            "week": week,
            "week_url": site_address(week.get_absolute_url()),
            "site_url": site_address(reverse("digest:home")),
            "site_name": settings.SITE_NAME,
            "intro_html": absolute_links(week.intro_html),
            "intro_text": html_to_text(week.intro_html),
            "outro_html": absolute_links(week.outro_html),
            "outro_text": html_to_text(week.outro_html),
            "items": items,
            "topics_chosen": bool(topic_ids),
            "unsubscribe_url": UNSUBSCRIBE_URL,
        }
        subject = week_subject(week)
        text = render_to_string("email/week.txt", context)
        html = INLINER.inline(render_to_string("email/week.html", context))
    return Edition(subject, BLOCKS.sub("\n\n", text).strip() + "\n", html, len(posts))


def message_id(week, subscriber):
    """The same for every attempt at one (week, subscriber) pair: a mail server or client that
    sees it twice knows it is one mail."""
    return f"<week-{week.iso_label}.{subscriber.pk}.{subscriber.key[:8]}@{mail_domain()}>"


def list_headers(token, unsubscribe):
    """RFC 2369 / RFC 8058: an unsubscribe in one click from the mail client, no page needed."""
    mailbox = settings.EMAIL_UNSUBSCRIBE_ADDRESS or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    subject = quote(f"unsubscribe {token}")
    return {
        # Folded after the comma: each address on its own line, every line well under 998.
        "List-Unsubscribe": f"<{unsubscribe}>,\r\n <mailto:{mailbox}?subject={subject}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": formataddr((settings.SITE_NAME, f"weekly.{mail_domain()}"), charset="utf-8"),
    }


class PreparedMessage:
    """What a mail backend asks of a message (`as_bytes()`), already written out."""

    def __init__(self, data):
        self.data = data

    def as_bytes(self, linesep="\r\n"):
        return self.data

    def get_charset(self):
        return None


def quoted_printable(text):
    """UTF-8 text as a quoted-printable body with CRLF line ends, every line short."""
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    return binascii.b2a_qp(crlf, istext=True).decode("ascii")


@lru_cache(maxsize=8)
def sender_address(address, encoding):
    """The From header, encoded once: the same for every mail (Django's encoding of it)."""
    return sanitize_address(address, encoding)


def recipient_address(address, encoding):
    """A plain ASCII address (nearly all) as it is, the rest as Django encodes them: the
    address was validated when it subscribed, so it holds no line break."""
    return address if address.isascii() else sanitize_address(address, encoding)


class WeekMail(Mail):
    """A week's mail, its MIME written here rather than by the email package's generator:
    that encodes every header again for each message, which was most of a sender's time for
    thousands of mails of one edition (`make bench-email`). The parts and headers are those
    Django would write; the tests parse what a real SMTP server received."""

    BOUNDARY = "==jugan-week-alternative=="  # QP bodies write `=` as `=3D`: never in a part

    def message(self, **kwargs):
        encoding = self.encoding or settings.DEFAULT_CHARSET
        subject = Header(str(self.subject), "utf-8", header_name="Subject")
        headers = {
            "From": sender_address(self.from_email, encoding),
            "To": ", ".join(recipient_address(address, encoding) for address in self.to),
            "Subject": subject.encode(linesep="\r\n"),
            "Date": formatdate(usegmt=True),
            "MIME-Version": "1.0",
            **self.extra_headers,
            "Content-Type": f'multipart/alternative; boundary="{self.BOUNDARY}"',
        }
        parts = [(self.body, "text/plain"), *self.alternatives]
        lines = [f"{name}: {value}" for name, value in headers.items()]
        body = "".join(
            f'--{self.BOUNDARY}\r\nContent-Type: {mimetype}; charset="utf-8"\r\n'
            f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{quoted_printable(content)}\r\n"
            for content, mimetype in parts
        )
        data = "\r\n".join(lines) + "\r\n\r\n" + body + f"--{self.BOUNDARY}--\r\n"
        return PreparedMessage(data.encode("ascii"))


def week_message(week, subscriber, edition, connection=None):
    token = unsubscribe_token(subscriber)
    unsubscribe = unsubscribe_address(subscriber, token)
    message = WeekMail(
        subject=edition.subject,
        body=edition.text.replace(UNSUBSCRIBE_URL, unsubscribe),
        to=[subscriber.email],
        headers={
            "Message-ID": message_id(week, subscriber),
            **list_headers(token, unsubscribe),
        },
        connection=connection,
    )
    message.attach_alternative(edition.html.replace(UNSUBSCRIBE_URL, unsubscribe), "text/html")
    return message


def confirmation_message(subscriber):
    with translation.override(subscriber.language):
        context = {
            "confirm_url": confirm_address(subscriber),
            "site_name": settings.SITE_NAME,
            "site_url": site_address(reverse("digest:home")),
            "days": settings.EMAIL_CONFIRM_DAYS,
        }
        subject = render_to_string("email/confirm_subject.txt", context).strip()
        text = render_to_string("email/confirm.txt", context)
        html = INLINER.inline(render_to_string("email/confirm.html", context))
    message = Mail(subject=subject, body=text, to=[subscriber.email])
    message.attach_alternative(html, "text/html")
    return message
