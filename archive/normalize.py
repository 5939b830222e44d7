"""What a pasted URL points at: its normalised form and the kind of thing it is.

Two pastes of the same target (one from the mobile share sheet with `fbclid`, one copied from the
address bar with `utm_source`) must become one Link, so the normalised form is the Link's identity.
"""

import contextlib
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from django.db import models
from django.utils.translation import gettext_lazy as _

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "_ga",
        "_gl",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
        "wt_mc",
        "spm",
        "mibextid",
        "srsltid",
        "ref_src",
        "ref_url",
        "__tn__",
        "_openstat",
        "epik",
        "irclickid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "__hs", "__cft__")
# Names that mean something elsewhere but only say how a link was shared on these sites (the
# share sheet's `feature=share` and `si=…` on YouTube, `s=20&t=…` on X).
SITE_TRACKING_PARAMETERS = {
    "youtube.com": {"feature", "si", "pp", "ab_channel", "embeds_referring_euri"},
    "youtu.be": {"feature", "si"},
    "music.youtube.com": {"feature", "si"},
    "instagram.com": {"igshid", "igsh"},
    "open.spotify.com": {"si"},
    "twitter.com": {"s", "t", "ref_src"},
    "x.com": {"s", "t", "ref_src"},
    "linkedin.com": {"trk", "trackingid", "lipi"},
    "threads.net": {"igshid", "xmt"},
    "tiktok.com": {"is_from_webapp", "sender_device", "_r", "_t"},
}
DEFAULT_PORTS = {"http": 80, "https": 443}
# Hosts that serve the same pages under another name (the mobile share sheet gives
# m.facebook.com, the desktop address bar www.facebook.com): one name per target.
HOST_ALIASES = {
    "facebook.com": "www.facebook.com",
    "m.facebook.com": "www.facebook.com",
    "mobile.facebook.com": "www.facebook.com",
    "youtube.com": "www.youtube.com",
    "m.youtube.com": "www.youtube.com",
    "www.github.com": "github.com",
    "www.arxiv.org": "arxiv.org",
    "www.huggingface.co": "huggingface.co",
    "www.paperswithcode.com": "paperswithcode.com",
}
# Characters left as they are in a path or query; everything else is percent-encoded, so a
# Korean path pasted raw and the same path pasted encoded normalise alike.
PATH_SAFE = "/:@!$&'()*+,;=-._~%"
QUERY_SAFE = PATH_SAFE + "?"
PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
# The Link columns' length. Percent-encoding triples a Korean character, so a paste well
# under the limit can exceed it once normalised; that must be refused here, not by the database.
MAX_URL_LENGTH = 2000


class InvalidURL(ValueError):
    pass


def normalize_url(url: str) -> str:
    """The canonical form of an http(s) URL: the key that makes two pastes one Link."""
    url = url.strip()
    if any(ch in url for ch in "\x00\r\n\t "):
        raise InvalidURL(_("A URL cannot contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidURL(_("This is not a valid URL: %(error)s") % {"error": error}) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL(_("Only http and https links can be saved."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidURL(_("This URL has no host name."))
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidURL(_("The host name %(host)s is not valid.") % {"host": host}) from None
    host = HOST_ALIASES.get(host, host)
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        credentials = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{credentials}@{netloc}"
    path = _encode(parts.path, PATH_SAFE) or "/"
    site_tracking = SITE_TRACKING_PARAMETERS.get(_site(host), frozenset())
    query = "&".join(
        _encode(pair, QUERY_SAFE)
        for pair in parts.query.split("&")
        if pair and not _is_tracking(pair.split("=", 1)[0], site_tracking)
    )
    normalized = urlunsplit((scheme, netloc, path, query, ""))
    if len(normalized) > MAX_URL_LENGTH:
        raise InvalidURL(
            _("This URL is too long: %(length)d characters once encoded, at most %(max)d.")
            % {"length": len(normalized), "max": MAX_URL_LENGTH}
        )
    return normalized


def _encode(text: str, safe: str) -> str:
    encoded = quote(text, safe=safe)
    return PERCENT_ESCAPE.sub(lambda escape: escape.group().upper(), encoded)


def _is_tracking(name: str, site_tracking) -> bool:
    name = unquote(name).lower()
    return (
        name in TRACKING_PARAMETERS or name in site_tracking or name.startswith(TRACKING_PREFIXES)
    )


def _site(host: str) -> str:
    """The site a host name belongs to, without the `www.`, mobile and IPv6 decorations."""
    return host.strip("[]").removeprefix("www.").removeprefix("m.").removeprefix("mobile.")


def domain_of(url: str) -> str:
    """The host a reader recognises: punycode decoded back to Unicode, without `www.`."""
    host = urlsplit(url).hostname or ""
    with contextlib.suppress(UnicodeError):
        host = host.encode("ascii").decode("idna")
    return host.removeprefix("www.").removeprefix("m.")


class LinkKind(models.TextChoices):
    REPOSITORY = "repository", _("Repository")
    PAPER = "paper", _("Paper")
    DATASET = "dataset", _("Dataset")
    MODEL = "model", _("Model")
    VIDEO = "video", _("Video")
    COMMUNITY_POST = "community", _("Community post")
    ARTICLE = "article", _("Article")
    OTHER = "other", _("Other")


CODE_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "git.sr.ht"}
# First path segments on a code host that are site pages, not an owner's repository.
CODE_HOST_PAGES = {
    "about", "apps", "collections", "enterprise", "events", "explore", "features", "marketplace",
    "orgs", "pricing", "settings", "sponsors", "topics", "trending", "users", "login", "search",
}  # fmt: skip
PAPER_HOSTS = {
    "arxiv.org", "aclanthology.org", "openreview.net", "papers.nips.cc", "proceedings.neurips.cc",
    "proceedings.mlr.press", "openaccess.thecvf.com", "dl.acm.org", "ieeexplore.ieee.org",
    "doi.org", "semanticscholar.org", "biorxiv.org", "jmlr.org",
}  # fmt: skip
HUGGING_FACE_PAGES = {
    "blog", "docs", "learn", "models", "papers", "pricing", "spaces", "tasks", "join", "login",
    "organizations", "collections", "posts", "settings",
}  # fmt: skip
VIDEO_HOSTS = {"youtube.com", "youtu.be", "vimeo.com", "tv.naver.com", "tv.kakao.com"}
DATASET_HOSTS = {"kaggle.com": "datasets", "aihub.or.kr": "", "zenodo.org": "records"}
ARTICLE_HOSTS = ("medium.com", "substack.com", "tistory.com", "velog.io", "brunch.co.kr")


def detect_kind(url: str) -> str:
    """Guess what a link is from its address alone; curators can correct it in the admin."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    first = segments[0].lower() if segments else ""

    if host in CODE_HOSTS and len(segments) >= 2 and first not in CODE_HOST_PAGES:
        return LinkKind.REPOSITORY
    if host == "huggingface.co":
        if first == "datasets" and len(segments) >= 2:
            return LinkKind.DATASET
        if first == "spaces" and len(segments) >= 3:
            return LinkKind.REPOSITORY
        if len(segments) >= 2 and first not in HUGGING_FACE_PAGES:
            return LinkKind.MODEL
    if host == "paperswithcode.com":
        if first in {"dataset", "datasets"}:
            return LinkKind.DATASET
        if first == "paper":
            return LinkKind.PAPER
    if host in DATASET_HOSTS and (not DATASET_HOSTS[host] or first == DATASET_HOSTS[host]):
        return LinkKind.DATASET
    if host in PAPER_HOSTS or host.endswith(".semanticscholar.org") or host == "aclweb.org":
        return LinkKind.PAPER
    if host in VIDEO_HOSTS:
        return LinkKind.VIDEO
    if host == "facebook.com" and first == "groups" and {"permalink", "posts"} & set(segments):
        return LinkKind.COMMUNITY_POST
    if host == "reddit.com" and "comments" in segments:
        return LinkKind.COMMUNITY_POST
    if host == "news.ycombinator.com" and first == "item":
        return LinkKind.COMMUNITY_POST
    if host.endswith(ARTICLE_HOSTS) or host.endswith(".github.io") or segments:
        return LinkKind.ARTICLE
    return LinkKind.OTHER
