"""`flask search rebuild | sync | check`, and /healthz's view of the index."""

from __future__ import annotations

import gc
from pathlib import Path

from sqlalchemy import text

from app.extensions import db
from app.search.store import current_dir, open_index


def test_check_detects_a_document_deleted_by_hand(app, make_article, make_discussion):
    article = make_article("Sign language for beginners")
    make_discussion("Signing at work")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["search", "check"]).exit_code == 0

    writer = open_index(Path(app.config["SEARCH_INDEX_DIR"])).writer()
    writer.delete_by_term("id", f"article:{article.id}:en")
    writer.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"missing: 1: article:{article.id}:en" in result.output

    fixed = runner.invoke(args=["search", "check", "--fix"])
    assert "Queued and synced 1" in fixed.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_check_detects_stale_and_extra_documents(app, make_article, make_discussion):
    article = make_article("Sewing repair cafe")
    d = make_discussion("Repair cafes near you")
    # Raw SQL skips the ORM and therefore the outbox: the index drifts.
    db.session.execute(text("UPDATE article_translations SET title = 'Mending cafe'"))
    db.session.execute(text("UPDATE discussions SET hidden_at = CURRENT_TIMESTAMP"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"stale: 1: article:{article.id}:en" in result.output
    assert f"extra: 1: discussion:{d.id}" in result.output


def test_rebuild_swaps_in_a_complete_new_index(app, make_article, make_comment, find):
    article = make_article("Bookbinding", versions={"fr": ("Reliure", "Livres")})
    make_comment("Bookbinding with kids", article=article)
    root = Path(app.config["SEARCH_INDEX_DIR"])
    before = current_dir(root)
    # Drift on purpose, then rebuild from the database.
    writer = open_index(root).writer()
    writer.delete_by_term("group", f"article:{article.id}")
    writer.commit()
    assert len(find("bookbinding")) == 1

    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexed 3 documents" in result.output
    assert current_dir(root) != before
    assert len(find("bookbinding")) == 2 and len(find("reliure")) == 1
    assert app.test_cli_runner().invoke(args=["search", "check"]).exit_code == 0


def test_rebuild_with_several_processes(app, make_article, find):
    for i in range(30):
        make_article(f"Ceramics lesson {i}", "Clay and glaze.")
    result = app.test_cli_runner().invoke(args=["search", "rebuild", "--procs", "2"])
    assert result.exit_code == 0, result.output
    assert "Indexed 30 documents" in result.output
    assert len(find("ceramics")) == 20  # one page
    assert app.test_cli_runner().invoke(args=["search", "check"]).exit_code == 0


def test_sync_drains_the_outbox(app, make_discussion):
    from app.search.outbox import OUTBOX

    d = make_discussion("Quilting bee")
    db.session.execute(OUTBOX.insert().values(kind="discussion", key=str(d.id), op="upsert",
                                              created_at=d.created_at))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "sync"])
    assert result.exit_code == 0 and "Processed 1 outbox rows" in result.output


def test_healthz_reports_the_index(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["search_index"] == "ok"


def _worker(app, threads=1):
    """What post_worker_init reads of gunicorn's Worker."""
    from types import SimpleNamespace

    return SimpleNamespace(wsgi=app, cfg=SimpleNamespace(threads=threads))


def test_a_gunicorn_worker_opens_the_index_before_its_first_request(app, ctx, make_article,
                                                                    gunicorn_config):
    """gunicorn.conf.py's post_worker_init hook: the searcher exists before any search."""
    from app.search import store
    from app.search.outbox import index_root

    make_article("Learning circles", "Body.")  # an index now exists
    store.forget_searcher(index_root(app))
    gunicorn_config["post_worker_init"](_worker(app))
    assert str(index_root(app)) in store._slots


def test_a_gunicorn_worker_freezes_the_app_but_not_the_searcher(app, ctx, make_article,
                                                                gunicorn_config):
    """The app's objects leave the collector's passes; the searcher, replaced at every
    index change, stays where the collector frees it."""
    from app.search import store
    from app.search.outbox import index_root

    make_article("Learning circles", "Body.")
    store.forget_searcher(index_root(app))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    before = {id(o) for o in gc.get_objects()}  # what the collector walks (not frozen)
    assert id(app) in before and id(app.view_functions) in before
    gunicorn_config["post_worker_init"](_worker(app))
    assert gc.get_freeze_count() > 10_000
    after = {id(o) for o in gc.get_objects()}
    assert id(app) not in after and id(app.view_functions) not in after
    assert id(store._slots[str(index_root(app))].searcher) in after


def test_a_threaded_gunicorn_worker_limits_its_malloc_heaps(app, gunicorn_config):
    config = gunicorn_config
    assert config["_limit_malloc_arenas"](8) is True  # glibc here: mallopt accepted it
    asked = []
    config["post_worker_init"].__globals__["_limit_malloc_arenas"] = asked.append
    config["post_worker_init"](_worker(app, threads=1))
    assert asked == []
    config["post_worker_init"](_worker(app, threads=4))
    assert asked == [config["THREAD_MALLOC_ARENAS"]]


def test_warming_up_without_an_index_creates_nothing(app_factory, tmp_path):
    from app.search.facade import warm_up

    app = app_factory(SEARCH_INDEX_DIR=str(tmp_path / "no-index-yet"))
    assert warm_up(app) is False
    assert not (tmp_path / "no-index-yet").exists()


def test_rebuild_commits_a_segment_per_chunk_of_text_and_loses_nothing(
        app, make_article, make_discussion, find, monkeypatch):
    from app.search import rebuild

    for i in range(6):
        make_article(f"Chunked circle {i}", "Weekly learning circles in the library. " * 20)
    make_discussion("Chunked discussion", "Short.")
    monkeypatch.setattr(rebuild, "CHUNK_CHARS", 1500)  # ~2 articles per segment
    result = app.test_cli_runner().invoke(args=["search", "rebuild", "--procs", "1"])
    assert result.exit_code == 0, result.output
    reader = open_index(Path(app.config["SEARCH_INDEX_DIR"])).reader()
    assert len(list(reader.leaf_readers())) >= 3
    assert len(find("chunked")) == 7
    assert app.test_cli_runner().invoke(args=["search", "check"]).exit_code == 0
