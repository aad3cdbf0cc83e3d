"""The one HTML policy. User HTML is cleaned here once, when saved, and stored clean.

Templates may mark as safe only what these functions returned.
"""

from __future__ import annotations

import html
import re

import bleach
from bleach.linkifier import Linker

RICH_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "a", "ul", "ol", "li", "h2", "h3", "h4",
     "blockquote", "code", "pre", "img"}
)
RICH_ATTRIBUTES = {"a": ["href", "title", "rel"], "img": ["src", "alt", "title"]}
PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


def _set_rel(attrs, new=False):  # noqa: ANN001
    href_key = (None, "href")
    if href_key not in attrs:
        return attrs
    href = attrs[href_key]
    if not re.match(r"^(https?:|mailto:)", href, re.I):
        # Relative links are dropped to plain text; only absolute http(s) links stay.
        return None
    attrs[(None, "rel")] = LINK_REL
    return attrs


def _img_http_only(tag: str, name: str, value: str) -> bool:
    if tag == "img":
        if name == "src":
            return bool(re.match(r"^https?://", value, re.I))
        return name in ("alt", "title")
    if tag == "a":
        return name in ("href", "title", "rel")
    return False


_rich_cleaner = bleach.Cleaner(
    tags=RICH_TAGS,
    attributes=_img_http_only,
    protocols=PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[],
)
_rich_linker = Linker(callbacks=[_set_rel], skip_tags={"pre", "code"})
_comment_linker = Linker(callbacks=[_set_rel], parse_email=False)

# Tags whose content is dropped, not kept as text, when stripped.
_DROP_WITH_CONTENT = re.compile(
    r"<(script|style|iframe|object|embed|template|noscript|textarea|title|svg|math|xmp)"
    r"\b[^>]*>.*?</\1\s*>",
    re.I | re.S,
)


def clean_rich_html(raw: str) -> str:
    """Editor HTML -> the article-body allowlist, links marked nofollow/ugc/noopener."""
    raw = _DROP_WITH_CONTENT.sub("", raw or "")
    # Trix writes <div> blocks and <h1>; map them to what the allowlist keeps.
    raw = re.sub(r"<\s*(/?)\s*div\b[^>]*>", r"<\1p>", raw, flags=re.I)
    raw = re.sub(r"<\s*(/?)\s*h1\b[^>]*>", r"<\1h2>", raw, flags=re.I)
    cleaned = _rich_cleaner.clean(raw)
    linked = _rich_linker.linkify(cleaned)
    return re.sub(r"<p>\s*</p>", "", linked).strip()


def clean_comment_text(raw: str) -> str:
    """Plain text -> escaped paragraphs with line breaks, bare URLs made links."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    parts = []
    for para in paragraphs:
        escaped = html.escape(para, quote=True).replace("\n", "<br>\n")
        parts.append("<p>" + _comment_linker.linkify(escaped) + "</p>")
    return "\n".join(parts)


def html_to_text(clean_html: str) -> str:
    """Sanitized HTML -> plain text (for summaries, search, feeds)."""
    text = re.sub(r"<br\s*/?>|</p>|</li>|</h[2-4]>|</blockquote>|</pre>", "\n", clean_html or "")
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n\n", text)).strip()


def plain_summary(clean_html: str, length: int = 200) -> str:
    text = " ".join(html_to_text(clean_html).split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut + "…"
