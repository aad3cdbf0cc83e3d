"""Language versions: translate, one per language, fallbacks, hreflang, slugs, outdated."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.articles.models import ArticleTranslation
from app.articles.queries import load_article
from app.extensions import db
from tests.articles.helpers import follow

EN_BODY = "<p>Learning circles meet every week.</p>"


def _versions() -> int:
    return db.session.scalar(select(func.count(ArticleTranslation.id)))


def test_translate_form_is_prefilled_with_the_original(client, make_user, login, make_article):
    article = make_article(make_user("anna"), body=EN_BODY)
    login(make_user("marie"))
    r = client.get(f"/en/articles/{article.id}/translate?to=de")
    assert r.status_code == 200
    assert 'value="Learning circles in public libraries"' in r.text
    assert "Learning circles meet every week." in r.text
    assert re.search(r'<option selected value="de">|<option value="de" selected>', r.text)


def test_visitor_cannot_translate(client, make_user, make_article):
    article = make_article(make_user("anna"))
    r = client.post(f"/en/articles/{article.id}/translate",
                    data={"language": "fr", "title": "T", "body": "<p>b</p>"})
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert _versions() == 1


def test_member_adds_a_version_and_is_credited(client, make_user, login, make_article):
    article = make_article(make_user("anna", display_name="Anna Weber"), body=EN_BODY)
    login(make_user("marie", display_name="Marie Dubois"))
    r = client.post(f"/en/articles/{article.id}/translate", data={
        "language": "fr", "title": "Cercles d'apprentissage à la bibliothèque",
        "summary": "", "body": "<p>Les cercles se réunissent chaque semaine.</p>",
    })
    assert r.status_code == 302
    assert r.headers["Location"].endswith(
        f"/fr/articles/{article.id}-cercles-d-apprentissage-à-la-bibliothèque"
        .replace("à", "%C3%A0").replace("è", "%C3%A8"))
    page = follow(client, r)
    assert page.status_code == 200
    assert "Cercles d&#39;apprentissage à la bibliothèque" in page.text
    assert "Les cercles se réunissent chaque semaine." in page.text
    assert "Marie Dubois" in page.text  # credited
    assert "Original language: anglais" in page.text or "anglais" in page.text.lower()
    # The English page still shows English.
    en = follow(client, client.get(f"/en/articles/{article.id}"))
    assert "Learning circles meet every week." in en.text
    assert "Original language: English" in en.text


def test_translating_over_an_existing_version_is_refused(client, make_user, login,
                                                         make_article, add_version):
    anna = make_user("anna")
    article = make_article(anna)
    add_version(article.id, anna, "fr", "Version française")
    login(make_user("bob"))
    r = client.post(f"/en/articles/{article.id}/translate", data={
        "language": "fr", "title": "Hijacked", "body": "<p>replaced</p>"})
    assert r.status_code == 422
    assert 'id="language-error"' in r.text
    assert "already a version in this language" in r.text
    db.session.expire_all()
    assert _versions() == 2
    assert load_article(article.id).version("fr").title == "Version française"
    # Over the original too.
    r = client.post(f"/en/articles/{article.id}/translate", data={
        "language": "en", "title": "Hijacked", "body": "<p>replaced</p>"})
    assert r.status_code == 422
    db.session.expire_all()
    assert load_article(article.id).original.title == "Learning circles in public libraries"


def test_fallback_notice_links_and_hreflang(client, make_user, make_article, add_version):
    anna = make_user("anna")
    article = make_article(anna)
    add_version(article.id, anna, "de", "Lernzirkel in Bibliotheken")
    page = follow(client, client.get(f"/es/articles/{article.id}"))
    assert page.status_code == 200
    # The /es/ page speaks Spanish.
    assert "no está disponible en español" in page.text
    assert "Este documento también está disponible en otros idiomas. Elige uno a continuación." \
        in page.text
    versions = page.text.split('class="version-list"')[1].split("</ul>")[0]
    assert f'href="/de/articles/{article.id}-lernzirkel-in-bibliotheken"' in versions
    assert f'href="/en/articles/{article.id}-learning-circles-in-public-libraries"' in versions
    assert versions.count("<li>") == 2  # no Spanish or French version: no link
    head = page.text.split("</head>")[0]
    hreflangs = set(re.findall(r'rel="alternate" hreflang="([a-z-]+)"', head))
    assert hreflangs == {"de", "en", "x-default"}
    de = follow(client, client.get(f"/de/articles/{article.id}"))
    assert "Lernzirkel in Bibliotheken" in de.text
    assert "nicht auf Deutsch verfügbar" not in de.text


def test_wrong_or_missing_slug_redirects_301(client, make_user, make_article, add_version):
    anna = make_user("anna")
    article = make_article(anna)
    add_version(article.id, anna, "de", "Lernzirkel in Bibliotheken")
    canonical_en = f"/en/articles/{article.id}-learning-circles-in-public-libraries"
    for path in (f"/en/articles/{article.id}", f"/en/articles/{article.id}-wrong",
                 f"/en/articles/{article.id}-lernzirkel-in-bibliotheken"):
        r = client.get(path)
        assert r.status_code == 301, path
        assert r.headers["Location"].endswith(canonical_en)
    assert client.get(canonical_en).status_code == 200
    r = client.get(f"/de/articles/{article.id}-learning-circles-in-public-libraries")
    assert r.status_code == 301
    assert r.headers["Location"].endswith(f"/de/articles/{article.id}-lernzirkel-in-bibliotheken")
    assert client.get("/en/articles/999999-nothing").status_code == 404


def test_unicode_slug(client, make_user, make_article):
    article = make_article(make_user("anna"), title="Éducation des adultes à Łódź",
                           language="fr")
    r = client.get(f"/fr/articles/{article.id}")
    assert r.status_code == 301
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    assert load_article(article.id).original.slug == "éducation-des-adultes-à-łódź"


def test_outdated_flag_appears_and_clears(client, make_user, login, make_article, add_version):
    anna, marie = make_user("anna"), make_user("marie")
    article = make_article(anna, body=EN_BODY)
    add_version(article.id, marie, "fr", "Cercles d'apprentissage")
    fr_url = f"/fr/articles/{article.id}"
    assert "peut-être plus à jour" not in follow(client, client.get(fr_url)).text

    login(anna)
    r = client.post(f"/en/articles/{article.id}/edit", data={
        "kind": "blog", "original_language": "en",
        "title": "Learning circles in public libraries",
        "summary": "", "body": "<p>Learning circles meet every week, now also online.</p>",
        "publish": "1",
    })
    assert r.status_code == 302
    page = follow(client, client.get(fr_url)).text
    assert "Cette version n’est peut-être plus à jour" in page  # the /fr/ page
    en = follow(client, client.get(f"/en/articles/{article.id}")).text
    assert "This version may be outdated" not in en
    assert "may be outdated" in en  # the French link in the version list is flagged

    # A member who is neither translator, author nor moderator may not edit the version.
    login(make_user("bob"))
    r = client.post(f"/en/articles/{article.id}/edit?language=fr", data={
        "title": "Vandalised", "body": "<p>x</p>"})
    assert r.status_code == 403
    db.session.expire_all()
    assert load_article(article.id).version("fr").title == "Cercles d'apprentissage"

    # The translator updates it: flag cleared.
    login(marie)
    edit = client.get(f"/en/articles/{article.id}/edit?language=fr")
    assert edit.status_code == 200 and "Cercles d&#39;apprentissage" in edit.text
    r = client.post(f"/en/articles/{article.id}/edit?language=fr", data={
        "title": "Cercles d'apprentissage", "summary": "",
        "body": "<p>Les cercles se réunissent chaque semaine, aussi en ligne.</p>"})
    assert r.status_code == 302
    assert "peut-être plus à jour" not in follow(client, client.get(fr_url)).text


def test_editing_metadata_only_does_not_mark_outdated(client, make_user, login, make_article,
                                                      add_version):
    anna = make_user("anna")
    article = make_article(anna, body=EN_BODY, summary="Short.")
    add_version(article.id, anna, "fr", "Cercles")
    login(anna)
    client.post(f"/en/articles/{article.id}/edit", data={
        "kind": "resource", "original_language": "en",
        "title": "Learning circles in public libraries", "summary": "Short.",
        "body": EN_BODY, "tags": "new-tag", "publish": "1"})
    db.session.expire_all()
    full = load_article(article.id)
    assert full.kind == "resource"
    assert full.original_version == 1
    assert not full.version("fr").is_outdated
