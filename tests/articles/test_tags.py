"""Tags are shared rows: two members saving the same new tag at once must both succeed."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.taxonomy import Tag, _insert_tags, get_or_create_tags


def test_inserting_a_tag_another_request_just_created_is_not_an_error(ctx):
    # What the race comes down to: our lookup missed "circles", then another request's
    # insert committed before ours.
    db.session.add(Tag(name="circles"))
    db.session.commit()
    _insert_tags(["circles", "gardens"])
    db.session.commit()
    assert sorted(db.session.scalars(select(Tag.name))) == ["circles", "gardens"]


def test_get_or_create_reuses_existing_rows_and_keeps_the_order(ctx):
    db.session.add(Tag(name="libraries"))
    db.session.commit()
    first = db.session.scalar(select(Tag).where(Tag.name == "libraries"))
    tags = get_or_create_tags(["parks", "libraries", "parks"])
    db.session.commit()
    assert [t.name for t in tags] == ["parks", "libraries", "parks"]
    assert tags[1].id == first.id and tags[0] is tags[2]
    assert db.session.scalar(select(db.func.count(Tag.id))) == 2
