"""Articles and their language versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.taxonomy import Tag, article_tags, article_themes

KINDS = ("blog", "news", "event", "resource")
STATUSES = ("draft", "review", "published", "rejected")


class Article(db.Model):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_status_published_at", "status", "published_at"),
        Index("ix_articles_kind_event_start", "kind", "event_start_utc"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="blog")
    original_language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    comments_open: Mapped[bool] = mapped_column(Boolean, default=True)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped whenever the original's text changes; versions remember which they followed.
    original_version: Mapped[int] = mapped_column(Integer, default=1)
    # Visible comments, kept in the same transaction as the comment write.
    comment_count: Mapped[int] = mapped_column(Integer, default=0)

    event_start_utc: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_end_utc: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_timezone: Mapped[str] = mapped_column(String(64), default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    is_online: Mapped[bool] = mapped_column(Boolean, default=False)
    online_url: Mapped[str] = mapped_column(String(500), default="")
    registration_url: Mapped[str] = mapped_column(String(500), default="")

    author: Mapped[User | None] = relationship(lazy="raise_on_sql")
    translations: Mapped[list[ArticleTranslation]] = relationship(
        back_populates="article",
        cascade="all, delete-orphan",
        order_by="ArticleTranslation.language",
        lazy="raise_on_sql",
    )
    tags: Mapped[list[Tag]] = relationship(
        secondary=article_tags, order_by=Tag.name, lazy="raise_on_sql"
    )
    # The configured themes this article is filed under (rows of article_themes).
    theme_links: Mapped[list[ArticleTheme]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleTheme.theme", lazy="raise_on_sql"
    )

    @property
    def is_event(self) -> bool:
        return self.kind == "event"

    @property
    def themes(self) -> list[str]:
        return [link.theme for link in self.theme_links]

    @property
    def is_visible(self) -> bool:
        """Public: published and not hidden."""
        return self.status == "published" and self.hidden_at is None

    def version(self, language: str) -> ArticleTranslation | None:
        for t in self.translations:
            if t.language == language:
                return t
        return None

    @property
    def original(self) -> ArticleTranslation:
        found = self.version(self.original_language)
        if found is None:  # a broken row; never expected
            raise LookupError(f"article {self.id} has no original version")
        return found

    def best_version(self, language: str) -> ArticleTranslation:
        """The version in `language` if it exists, else the original."""
        return self.version(language) or self.original

    @property
    def languages(self) -> list[str]:
        return [t.language for t in self.translations]


class ArticleTheme(db.Model):
    """Mapped view of article_themes so queries can join it by name."""

    __table__ = article_themes


class ArticleTranslation(db.Model):
    __tablename__ = "article_translations"
    __table_args__ = (UniqueConstraint("article_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(320))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitized on save
    translator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    source_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship(back_populates="translations", lazy="raise_on_sql")
    translator: Mapped[User | None] = relationship(lazy="raise_on_sql")

    @property
    def is_outdated(self) -> bool:
        art = self.article
        return self.language != art.original_language and self.source_version < art.original_version
