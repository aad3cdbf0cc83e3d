"""Column types and helpers shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (called per row, never at import)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC instants; always hands back timezone-aware datetimes.

    SQLite drops tzinfo, PostgreSQL keeps it: this makes both behave the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def render_item(type_, obj, autogen_context):  # noqa: ANN001, ANN201
    """Alembic autogenerate: write UTCDateTime as a plain DateTime so migrations stand alone."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def strip_nul_bytes(session, flush_context, instances) -> None:  # noqa: ANN001
    """before_flush: drop NUL characters from text columns.

    PostgreSQL refuses them in text ("cannot contain NUL (0x00) bytes") and a member's
    stray NUL must not turn a save into a 500; SQLite would store them. Nothing
    legitimate is lost: NUL is never meaningful in user text.
    """
    from sqlalchemy import inspect as sa_inspect

    for obj in list(session.new) + list(session.dirty):
        mapper = sa_inspect(obj).mapper
        for attr in mapper.column_attrs:
            value = getattr(obj, attr.key, None)
            if isinstance(value, str) and "\x00" in value:
                setattr(obj, attr.key, value.replace("\x00", ""))
