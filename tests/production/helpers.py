"""Checks shared by the page cache and member page cache tests."""

from __future__ import annotations


def warm(client, url: str) -> str:
    """Two visits: the second must come from the cache. Returns the cached body."""
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["X-Cache"] == "MISS"
    second = client.get(url)
    assert second.headers["X-Cache"] == "HIT"
    assert second.data == first.data
    return second.get_data(as_text=True)


def fresh(client, url: str) -> str:
    """The very next visit after a change: rendered anew (a MISS)."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["X-Cache"] == "MISS", "a change must show on the next request"
    return response.get_data(as_text=True)
