"""Themes (a configured list) and free tags, shared by articles and discussions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)  # normalised, lower-case


article_tags = Table(
    "article_tags",
    db.metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_article_tags_tag_id", "tag_id"),
)

discussion_tags = Table(
    "discussion_tags",
    db.metadata,
    Column(
        "discussion_id", Integer, ForeignKey("discussions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_discussion_tags_tag_id", "tag_id"),
)

article_themes = Table(
    "article_themes",
    db.metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("theme", String(40), primary_key=True),
    Index("ix_article_themes_theme", "theme"),
)

discussion_themes = Table(
    "discussion_themes",
    db.metadata,
    Column(
        "discussion_id", Integer, ForeignKey("discussions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("theme", String(40), primary_key=True),
    Index("ix_discussion_themes_theme", "theme"),
)


def normalise_tag(raw: str) -> str:
    """'  Digital Skills ' -> 'digital-skills' (unicode kept: 'éducation')."""
    return slugify(raw, allow_unicode=True, max_length=60)


def parse_tags(raw: str) -> list[str]:
    """Comma-separated input -> unique normalised tag names, in order, at most 10."""
    seen: list[str] = []
    for part in (raw or "").split(","):
        name = normalise_tag(part)
        if name and name not in seen:
            seen.append(name)
    return seen[:10]


def get_or_create_tags(names: list[str]) -> list[Tag]:
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(db.select(Tag).where(Tag.name.in_(names)))}
    missing = [name for name in dict.fromkeys(names) if name not in existing]
    if missing:
        _insert_tags(missing)
        existing.update(
            (t.name, t) for t in db.session.scalars(db.select(Tag).where(Tag.name.in_(missing)))
        )
    return [existing[name] for name in names]


def _insert_tags(names: list[str]) -> None:
    """Insert new tag names, skipping any another request created in the meantime (two
    members saving the same new tag at once: the second used to get a 500)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(Tag).values([{"name": name} for name in names])
        .on_conflict_do_nothing(index_elements=["name"])
    )


THEME_LABELS = {
    "learning-environments": _l("Learning environments"),
    "support-for-learners": _l("Support for learners"),
    "quality": _l("Quality"),
    "policy": _l("Policy"),
    "life-skills": _l("Life skills"),
}


def theme_label(theme: str) -> str:
    """A configured theme's name; themes added by configuration fall back to their slug."""
    label = THEME_LABELS.get(theme)
    if label is not None:
        return str(label)
    text = theme.replace("-", " ").strip()
    return text[:1].upper() + text[1:]
