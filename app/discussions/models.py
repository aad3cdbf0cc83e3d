"""Discussions: an opening post and its replies (Comment rows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.taxonomy import Tag, discussion_tags


class Discussion(db.Model):
    __tablename__ = "discussions"
    __table_args__ = (
        Index("ix_discussions_pinned_activity", "pinned", "last_activity_at"),
        Index("ix_discussions_language_activity", "language", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(320))
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitized on save
    summary: Mapped[str] = mapped_column(Text, default="")  # first ~200 chars of text
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise_on_sql")
    tags: Mapped[list[Tag]] = relationship(secondary=discussion_tags, lazy="raise_on_sql")

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None
