"""Moderation: members cannot moderate; moderators lock, pin, hide, resolve and review."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.moderation.models import ModerationAction, Report
from tests.discussions.helpers import add_reply, make_article, make_discussion


@pytest.fixture
def world(make_user):
    anna = make_user("anna", display_name="Anna Weber")
    marie = make_user("marie")
    mod = make_user("mod", role="moderator", display_name="Mo Derator")
    d = make_discussion(anna, title="Tools for tutors")
    reply = add_reply(d, marie, "Buy cheap watches")
    article = make_article(anna, title="Article waiting", status="review")
    comment_article = make_article(anna, title="Commented article")
    from app.comments.services import post_comment

    comment = post_comment(marie, "Spam on an article", article=comment_article)
    db.session.commit()
    report = Report(reporter_id=marie.id, target_type="discussion", target_id=d.id,
                    reason="Off-topic advertising")
    db.session.add(report)
    db.session.commit()
    return {"anna": anna, "marie": marie, "mod": mod, "d": d, "reply": reply,
            "article": article, "comment": comment, "report": report}


def _actions(w) -> list[tuple[str, str]]:  # noqa: ANN001
    d, r, a, c, rep = w["d"].id, w["reply"].id, w["article"].id, w["comment"].id, w["report"].id
    return [
        ("get", "/en/moderation/", {}),
        ("get", "/en/moderation/log", {}),
        *[("post", f"/en/moderation/discussions/{d}/{act}", {})
          for act in ("lock", "unlock", "pin", "unpin", "hide", "unhide")],
        ("post", f"/en/comments/{r}/hide", {}),
        ("post", f"/en/comments/{c}/hide", {}),
        ("post", f"/en/moderation/articles/{a}/hide", {}),
        ("post", f"/en/moderation/reports/{rep}/resolve", {"decision": "hide"}),
        ("post", f"/en/moderation/reports/{rep}/resolve", {"decision": "dismiss"}),
        ("post", f"/en/moderation/articles/{a}/review", {"decision": "approve"}),
        ("post", f"/en/moderation/articles/{a}/review", {"decision": "reject", "reason": "No"}),
    ]


def _state(w) -> tuple:  # noqa: ANN001
    db.session.expire_all()
    for key in ("d", "reply", "article", "comment", "report"):
        db.session.refresh(w[key])
    d = w["d"]
    return (d.locked, d.pinned, d.hidden_at, d.reply_count, w["reply"].hidden_at,
            w["comment"].hidden_at, w["article"].status, w["article"].hidden_at,
            w["report"].status, db.session.scalar(select(func.count(ModerationAction.id))))


def test_member_gets_403_on_every_action_and_nothing_changes(client, login, world):
    before = _state(world)
    login(world["anna"])
    for method, path, data in _actions(world):
        r = getattr(client, method)(path, data=data) if method == "post" else client.get(path)
        assert r.status_code == 403, path
    assert _state(world) == before


def test_visitor_is_sent_to_login(client, world):
    for method, path, data in _actions(world):
        r = getattr(client, method)(path, data=data) if method == "post" else client.get(path)
        assert r.status_code == 302 and "/auth/login" in r.headers["Location"], path
    assert db.session.scalar(select(func.count(ModerationAction.id))) == 0


def test_lock_pin_hide_are_applied_and_logged(client, login, world):
    d = world["d"]
    login(world["mod"])
    for act in ("lock", "pin", "hide"):
        r = client.post(f"/en/moderation/discussions/{d.id}/{act}")
        assert r.status_code == 302
    db.session.refresh(d)
    assert d.locked and d.pinned and d.hidden_at is not None
    page = client.get(f"/en/discussions/{d.id}-{d.slug}").get_data(as_text=True)
    assert "Locked" in page and "Hidden from members and visitors" in page
    assert client.post(f"/en/moderation/discussions/{d.id}/unhide").status_code == 302
    log = client.get("/en/moderation/log").get_data(as_text=True)
    for word in ("locked", "pinned", "hid", "unhid"):
        assert f"<td>{word}</td>" in log
    assert "Mo Derator" in log and "Tools for tutors" in log


def test_member_reports_and_moderator_hides(client, login, world, make_user):
    reply = world["reply"]
    login(world["anna"])
    form = client.get(f"/en/moderation/report?target_type=comment&target_id={reply.id}"
                      f"&next=/en/discussions/{world['d'].id}-x")
    assert form.status_code == 200 and "Buy cheap watches" in form.get_data(as_text=True)
    r = client.post("/en/moderation/report", data={
        "target_type": "comment", "target_id": reply.id, "reason": "Spam, clearly",
        "next": "/en/discussions/"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/en/discussions/")
    report = db.session.scalar(select(Report).where(Report.target_type == "comment"))
    assert report.status == "open" and report.reason == "Spam, clearly"

    login(world["mod"])
    index = client.get("/en/moderation/").get_data(as_text=True)
    assert "Spam, clearly" in index and "Reply in “Tools for tutors”" in index
    assert f"/en/discussions/replies/{reply.id}" in index
    assert "Article waiting" in index  # the review queue
    r = client.post(f"/en/moderation/reports/{report.id}/resolve",
                    data={"decision": "hide", "note": "spam"})
    assert r.status_code == 302
    db.session.refresh(report)
    db.session.refresh(reply)
    assert report.status == "resolved" and report.resolved_by_id == world["mod"].id
    assert reply.hidden_at is not None
    r = client.post(f"/en/moderation/reports/{world['report'].id}/resolve",
                    data={"decision": "dismiss"})
    db.session.refresh(world["report"])
    assert world["report"].status == "dismissed"
    assert world["d"].hidden_at is None
    log = client.get("/en/moderation/log").get_data(as_text=True)
    assert "resolved a report on" in log and "dismissed a report on" in log
    assert "<td>hid</td>" in log
    index = client.get("/en/moderation/").get_data(as_text=True)
    assert "Spam, clearly" not in index and "No open reports." in index


def test_report_refusals(client, login, world):
    login(world["anna"])
    r = client.post("/en/moderation/report", data={
        "target_type": "comment", "target_id": world["reply"].id, "reason": ""})
    assert r.status_code == 422 and "Tell the moderators what is wrong." in r.get_data(
        as_text=True)
    r = client.post("/en/moderation/report", data={
        "target_type": "discussion", "target_id": 9999, "reason": "Does not exist"})
    assert r.status_code == 422
    r = client.post("/en/moderation/report", data={
        "target_type": "user", "target_id": 1, "reason": "Not reportable"})
    assert r.status_code == 422
    r = client.post("/en/moderation/report", data={
        "target_type": "article", "target_id": world["article"].id, "reason": "Bad article",
        "next": "https://evil.example/"})
    assert r.status_code == 302 and "evil" not in r.headers["Location"]
    assert db.session.scalar(select(func.count(Report.id))) == 2  # fixture's + the last one


def test_report_needs_csrf_token(app_factory, world):
    csrf_app = app_factory(WTF_CSRF_ENABLED=True)
    c = csrf_app.test_client()
    with c.session_transaction() as session:
        session["_user_id"] = world["anna"].session_token
    r = c.post("/en/moderation/report", data={
        "target_type": "discussion", "target_id": world["d"].id, "reason": "No token here"})
    assert r.status_code == 400
    assert db.session.scalar(select(func.count(Report.id))) == 1


def test_review_approve_and_reject_with_reason(client, login, world, make_user):
    article = world["article"]
    other = make_article(world["anna"], title="Second waiting", status="review")
    login(world["mod"])
    r = client.post(f"/en/moderation/articles/{article.id}/review",
                    data={"decision": "reject", "reason": ""})
    assert r.status_code == 422 and "Say why the article is rejected." in r.get_data(
        as_text=True)
    db.session.refresh(article)
    assert article.status == "review"
    r = client.post(f"/en/moderation/articles/{article.id}/review",
                    data={"decision": "reject", "reason": "Please add sources"})
    assert r.status_code == 302
    db.session.refresh(article)
    assert article.status == "rejected" and article.rejection_reason == "Please add sources"
    assert client.post(f"/en/moderation/articles/{other.id}/review",
                       data={"decision": "approve"}).status_code == 302
    db.session.refresh(other)
    assert other.status == "published" and other.published_at is not None
    log = client.get("/en/moderation/log").get_data(as_text=True)
    assert "<td>approved</td>" in log and "<td>rejected</td>" in log
    assert "Please add sources" in log
    actions = db.session.scalars(select(ModerationAction.action)).all()
    assert sorted(actions) == ["approve", "reject"]  # logged once each
