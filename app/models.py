"""Imports every model so the metadata (and Alembic) sees them all."""

from app.articles.models import Article, ArticleTheme, ArticleTranslation
from app.auth.models import User
from app.comments.models import Comment
from app.discussions.models import Discussion
from app.moderation.models import ModerationAction, Report
from app.notifications.models import Notification, Subscription
from app.search.models import SearchOutbox
from app.taxonomy import Tag

__all__ = [
    "Article", "ArticleTheme", "ArticleTranslation", "Comment", "Discussion",
    "ModerationAction", "Notification", "Report", "SearchOutbox", "Subscription", "Tag", "User",
]
