"""What a profile page shows besides the member's own fields."""

from __future__ import annotations

from app.auth.models import User


def profile_content(user: User, viewer, language: str) -> dict:  # noqa: ANN001
    from app.articles.services import articles_by_author
    from app.discussions.services import discussions_by_author

    return {
        "articles": articles_by_author(user, viewer=viewer, language=language, limit=20),
        "discussions": discussions_by_author(user, viewer=viewer, limit=20),
    }
