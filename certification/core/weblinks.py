from urllib.parse import urlsplit


def is_web_link(url: str) -> bool:
    """Only http(s) addresses become links; anything else is shown as text."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)
