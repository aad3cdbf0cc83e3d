"""Assertions shared by the articles tests."""

from __future__ import annotations

import re
from contextlib import contextmanager
from html.parser import HTMLParser

from sqlalchemy import event

from app.extensions import db

DANGEROUS_TAGS = {"svg", "iframe", "object", "embed", "math", "base", "meta-refresh"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, {k: (v or "") for k, v in attrs}))


def assert_inert(html: str) -> None:
    """What a browser would get runs nothing the user wrote.

    Every <script> is one of ours (a local src, never inline), no element carries an event
    handler or a style attribute from user input, no link or image points at a
    javascript:/data:/vbscript: URL, and no svg/iframe/object/embed element exists.
    Text that merely *shows* a payload (escaped) is fine: it is inert.
    """
    parser = _Collector()
    parser.feed(html)
    for tag, attrs in parser.tags:
        if tag == "script":
            src = attrs.get("src", "")
            assert src.startswith("/") and not src.startswith("//"), f"foreign script: {attrs}"
        assert tag not in DANGEROUS_TAGS, f"dangerous element <{tag}> survived"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name}= on <{tag}>"
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                cleaned = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                assert not cleaned.startswith(("javascript:", "data:", "vbscript:")), (
                    f"{name}={value!r} on <{tag}>")
        if tag == "form":
            action = attrs.get("action", "")
            assert action == "" or action.startswith("/"), f"external form action {action}"


@contextmanager
def count_queries():
    """Count SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def follow(client, response):  # noqa: ANN001, ANN201
    """GET the Location of a redirect (same client, same session)."""
    assert response.status_code in (301, 302, 303), response.status_code
    return client.get(response.headers["Location"])
