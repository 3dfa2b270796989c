"""URLs from feeds: which ones we accept, and one normal form for deduplication."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Tracking parameters: the same article shared with different campaign tags is one article.
_TRACKING = ("utm_", "fbclid", "gclid", "yclid", "mc_cid", "mc_eid")


def web_link(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) link; javascript:, data: and such never reach users."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if any(c.isspace() or ord(c) < 32 for c in url):
        return None
    return url


def normalise_link(url: str | None) -> str | None:
    """The dedupe form of a link: lower-case scheme and host, no default port, no fragment,
    no tracking parameters, no trailing slash. None when it is not an http(s) link."""
    url = web_link(url)
    if url is None:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_TRACKING)
        ]
    )
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, query, ""))


def host(url: str) -> str:
    """The host of `url`, lower-case, for naming a source when the feed gives no title."""
    try:
        return (urlsplit(url).hostname or url).lower()
    except ValueError:
        return url


# Query parameters that usually carry an access key: their values never reach logs or chats.
_SECRET_PARAMS = ("key", "token", "secret", "password", "passwd", "auth", "sig", "signature")


def display_url(url: str) -> str:
    """`url` as logs and /feeds name a feed: no user:password, secret-looking query values
    replaced by `***`; everything else as given, so the admin recognises the feed."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url[:200]
    netloc = f"{hostname}:{port}" if port is not None else hostname
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(_secret(k) for k, _ in pairs):
        query = "&".join(f"{k}=***" if _secret(k) else f"{k}={v}" for k, v in pairs)
    else:
        query = parts.query
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_PARAMS)
