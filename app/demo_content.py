"""Demo articles and discussions, each area loading its own."""

from __future__ import annotations


def load_demo_content(users: dict) -> None:
    from app.articles.demo import load_demo_articles
    from app.discussions.demo import load_demo_discussions

    load_demo_articles(users)
    load_demo_discussions(users)
