"""What a pasted URL points at: its normalised form and the kind of thing it is.

Two pastes of the same target (one from the mobile share sheet with `fbclid`, one copied from the
address bar with `utm_source`) must become one Link, so the normalised form is the Link's identity.
"""

import contextlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

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
    PACKAGE = "package", _("Package")
    PAPER = "paper", _("Paper")
    DATASET = "dataset", _("Dataset")
    MODEL = "model", _("Model")
    DEMO = "demo", _("Demo")
    VIDEO = "video", _("Video")
    COMMUNITY_POST = "community", _("Community post")
    ARTICLE = "article", _("Article")
    OTHER = "other", _("Other")


# What an address points at, site by site: its kind and the name a reader knows it by. Each
# rule takes the address's path segments (and query) and gives None when the page is one of the
# site's own (a list, a search, docs), which is then an article.

CODE_HOSTS = {
    "github.com": "GitHub",
    "gitlab.com": "GitLab",
    "bitbucket.org": "Bitbucket",
    "codeberg.org": "Codeberg",
    "git.sr.ht": "SourceHut",
}
# First path segments on a code host that are site pages, not an owner's repository.
CODE_HOST_PAGES = {
    "about", "apps", "collections", "enterprise", "events", "explore", "features", "marketplace",
    "orgs", "pricing", "settings", "sponsors", "topics", "trending", "users", "login", "search",
}  # fmt: skip
HUGGING_FACE_PAGES = {
    "blog", "docs", "learn", "models", "papers", "pricing", "spaces", "tasks", "join", "login",
    "organizations", "collections", "posts", "settings", "datasets",
}  # fmt: skip
# Registries: the path segment before a package's name, and how many segments the name has.
PACKAGE_REGISTRIES = {
    "pypi.org": ("PyPI", "project", 1),
    "pypi.python.org": ("PyPI", "pypi", 1),
    "npmjs.com": ("npm", "package", 1),  # a scoped `@scope/name` is read as one, below
    "crates.io": ("crates.io", "crates", 1),
    "rubygems.org": ("RubyGems", "gems", 1),
    "packagist.org": ("Packagist", "packages", 2),
    "anaconda.org": ("Anaconda", "", 2),
}
MODEL_HUBS = {
    "tfhub.dev": ("TensorFlow Hub", "", 2),
    "pytorch.org": ("PyTorch Hub", "hub", 1),
    "ollama.com": ("Ollama", "library", 1),
    "modelscope.cn": ("ModelScope", "models", 2),
}
# Paper sites whose every page with a path is a paper (proceedings, publishers).
PROCEEDINGS_HOSTS = {
    "papers.nips.cc", "proceedings.neurips.cc", "proceedings.mlr.press", "openaccess.thecvf.com",
    "dl.acm.org", "ieeexplore.ieee.org", "jmlr.org", "biorxiv.org", "medrxiv.org",
    "link.springer.com", "ojs.aaai.org",
}  # fmt: skip
ACL_ANTHOLOGY_PAGES = {"events", "venues", "people", "volumes", "sigs", "faq", "info", "search"}
VIDEO_HOSTS = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "vimeo.com": "Vimeo",
    "tv.naver.com": "Naver TV",
    "tv.kakao.com": "Kakao TV",
}
ARTICLE_HOSTS = ("medium.com", "substack.com", "tistory.com", "velog.io", "brunch.co.kr")


@dataclass(frozen=True)
class Target:
    kind: str
    name: str  # "GitHub: Beomi/KcBERT", "arXiv: 2010.11929"; the site when nothing more is known


def detect_kind(url: str) -> str:
    """Guess what a link is from its address alone; curators can correct it in the admin."""
    return identify(url).kind


def identify(url: str) -> Target:
    """What a normalised address points at, from the address alone."""
    parts = urlsplit(url)
    site = _site((parts.hostname or "").lower())
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    query = dict(parse_qsl(parts.query))
    for rule in (_code, _hugging_face, _registry, _paper, _dataset, _video, _community):
        if target := rule(site, segments, query):
            return target
    if site.endswith(ARTICLE_HOSTS) or site.endswith(".github.io") or segments:
        return Target(LinkKind.ARTICLE, domain_of(url))
    return Target(LinkKind.OTHER, domain_of(url))


def _named(site, segments, prefix, length):
    """The `length` segments after `prefix` (none: from the start) joined, or None."""
    if prefix:
        if not segments or segments[0].lower() != prefix:
            return None
        segments = segments[1:]
    if site == "npmjs.com" and segments and segments[0].startswith("@"):
        length = 2  # @scope/name
    return "/".join(segments[:length]) if len(segments) >= length else None


def _code(site, segments, query):
    if site not in CODE_HOSTS or len(segments) < 2 or segments[0].lower() in CODE_HOST_PAGES:
        return None
    # GitLab groups nest (group/subgroup/project); its pages come after a `-` segment.
    length = segments.index("-") if site == "gitlab.com" and "-" in segments else 2
    return Target(LinkKind.REPOSITORY, f"{CODE_HOSTS[site]}: {'/'.join(segments[:length])}")


def _hugging_face(site, segments, query):
    if site not in {"huggingface.co", "hf.co"} or not segments:
        return None
    first, rest = segments[0].lower(), "/".join(segments[1:3])
    if first == "datasets" and rest:
        return Target(LinkKind.DATASET, f"Hugging Face dataset: {rest}")
    if first == "spaces" and len(segments) >= 3:
        return Target(LinkKind.DEMO, f"Hugging Face Space: {rest}")
    if first == "papers" and rest:
        return Target(LinkKind.PAPER, f"Hugging Face Papers: {segments[1]}")
    if len(segments) >= 2 and first not in HUGGING_FACE_PAGES:
        return Target(LinkKind.MODEL, f"Hugging Face: {'/'.join(segments[:2])}")
    return None


def _registry(site, segments, query):
    for hosts, kind in ((PACKAGE_REGISTRIES, LinkKind.PACKAGE), (MODEL_HUBS, LinkKind.MODEL)):
        if site in hosts:
            registry, prefix, length = hosts[site]
            if name := _named(site, segments, prefix, length):
                return Target(kind, f"{registry}: {name}")
    if site == "pkg.go.dev" and segments:
        return Target(LinkKind.PACKAGE, f"Go: {'/'.join(segments)}")
    if site == "kaggle.com" and (name := _named(site, segments, "models", 2)):
        return Target(LinkKind.MODEL, f"Kaggle: {name}")
    return None


def _paper(site, segments, query):
    first = segments[0].lower() if segments else ""
    if site in {"arxiv.org", "export.arxiv.org"} and first in {"abs", "pdf", "html", "format"}:
        if len(segments) >= 2:
            return Target(LinkKind.PAPER, f"arXiv: {'/'.join(segments[1:]).removesuffix('.pdf')}")
    elif site == "openreview.net" and first in {"forum", "pdf", "attachment"} and "id" in query:
        return Target(LinkKind.PAPER, f"OpenReview: {query['id']}")
    elif site == "aclanthology.org" and first and first not in ACL_ANTHOLOGY_PAGES:
        return Target(LinkKind.PAPER, f"ACL Anthology: {segments[0].removesuffix('.pdf')}")
    elif site == "aclweb.org" and first == "anthology" and len(segments) >= 2:
        return Target(LinkKind.PAPER, f"ACL Anthology: {segments[-1].removesuffix('.pdf')}")
    elif site == "paperswithcode.com" and first == "paper" and len(segments) >= 2:
        return Target(LinkKind.PAPER, f"Papers with Code: {segments[1]}")
    elif site.endswith("semanticscholar.org") and (
        first == "paper" or first.startswith("corpusid:")
    ):
        return Target(LinkKind.PAPER, "Semantic Scholar")
    elif site in {"doi.org", "dx.doi.org"} and first.startswith("10."):
        return Target(LinkKind.PAPER, f"DOI: {'/'.join(segments)}")
    elif site in PROCEEDINGS_HOSTS and segments:
        return Target(LinkKind.PAPER, site)
    return None


def _dataset(site, segments, query):
    first = segments[0].lower() if segments else ""
    if site == "paperswithcode.com" and first in {"dataset", "datasets"}:
        name = f"Papers with Code: {segments[1]}" if len(segments) >= 2 else "Papers with Code"
        return Target(LinkKind.DATASET, name)
    if site == "kaggle.com" and (name := _named(site, segments, "datasets", 2)):
        return Target(LinkKind.DATASET, f"Kaggle: {name}")
    if site == "zenodo.org" and first == "records" and len(segments) >= 2:
        return Target(LinkKind.DATASET, f"Zenodo: {segments[1]}")
    if site == "aihub.or.kr":
        return Target(LinkKind.DATASET, "AI Hub")
    return None


def _video(site, segments, query):
    return Target(LinkKind.VIDEO, VIDEO_HOSTS[site]) if site in VIDEO_HOSTS else None


def _community(site, segments, query):
    first = segments[0].lower() if segments else ""
    if site == "facebook.com" and first == "groups" and {"permalink", "posts"} & set(segments):
        return Target(LinkKind.COMMUNITY_POST, f"Facebook: {segments[1]}")
    if site == "reddit.com" and "comments" in segments:
        return Target(LinkKind.COMMUNITY_POST, f"Reddit: {'/'.join(segments[:2])}")
    if site == "news.ycombinator.com" and first == "item":
        return Target(LinkKind.COMMUNITY_POST, "Hacker News")
    return None


# Link texts that name nothing but the act of pointing ("[여기](…)", "[github link](…)"),
# at most with a word for the kind of page ("게시물 링크", "사이트 바로가기").
POINTER_TEXT = re.compile(
    r"(?:(?:the|this|full|original|source|post|site|page|paper|github|원문|원본|게시물|게시글"
    r"|사이트|홈페이지|페이지|논문|깃허브|관련|공식)\s*)?"
    r"(?:여기|이곳|링크|바로\s*가기|here|link|url|click\s*here|click|클릭)"
    r"(?:를|을|에서|서)?(?:\s*(?:클릭|click))?"
)
POINTER_DECORATION = " \t()[]<>.,:;!?'\"→➡👉*_"


def is_pointer_word(text: str) -> bool:
    """Whether a link's text only points ("여기", "here") rather than naming its target."""
    return bool(POINTER_TEXT.fullmatch(" ".join(text.strip(POINTER_DECORATION).lower().split())))


def link_label(text: str, url: str) -> str:
    """A link's label from its text; a text that only points, or is the address itself, gives
    the name of what the address points at instead ("GitHub: Beomi/KcBERT")."""
    text = text.strip()
    if is_pointer_word(text) or text.lower().startswith(("http://", "https://")):
        return identify(url).name
    return text
