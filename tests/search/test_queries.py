"""Query forms, filters, sorting, paging and malformed input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.search import facade
from app.search.searching import Filters, SearchPage


@pytest.fixture
def corpus(make_article, make_discussion, make_comment):
    a = make_article("Adult learning in public libraries", "Reading circles meet weekly.",
                     themes=("quality",), published_days_ago=30)
    b = make_article("Digital skills for older adults", "Tablets and libraries help.",
                     published_days_ago=1)
    c = make_article("Learning circles", "Libraries and public parks.", language="fr",
                     versions={"en": ("Outdoor learning", "Parks and public gardens.")},
                     published_days_ago=5)
    d = make_discussion("How do you run reading circles?", "Share your public experience.")
    e = make_comment("We meet in the public library every Tuesday.", discussion=d)
    return {"a": f"article:{a.id}:en", "b": f"article:{b.id}:en", "c_fr": f"article:{c.id}:fr",
            "c_en": f"article:{c.id}:en", "d": f"discussion:{d.id}", "e": f"comment:{e.id}"}


def test_words_are_anded(corpus, find):
    assert set(find("public libraries")) == {corpus["a"], corpus["c_fr"], corpus["e"]}


def test_or_and_not(corpus, find):
    assert set(find("tablets OR gardens")) == {corpus["b"], corpus["c_en"]}
    assert corpus["a"] not in find("libraries NOT reading")
    assert corpus["b"] in find("libraries NOT reading")
    assert corpus["b"] in find("libraries AND tablets")


def test_phrase(corpus, find):
    assert find('"reading circles"') == [corpus["a"]] or set(find('"reading circles"')) == {
        corpus["a"], corpus["d"]}
    assert corpus["a"] not in find('"circles reading"')


def test_prefix(corpus, find):
    assert set(find("tabl*")) == {corpus["b"]}
    assert corpus["c_en"] in find("gard*")


def test_title_field_query(corpus, find):
    assert set(find("title:digital")) == {corpus["b"]}
    assert find("title:tablets") == []  # only in the body
    assert corpus["d"] in find('title:"reading circles"')


def test_author_field_query(corpus, find):
    assert corpus["a"] in find("author:wanda")


def test_filters_type_language_theme(corpus, find):
    assert find("public", type="comment") == [corpus["e"]]
    assert find("learning", language="fr") == [corpus["c_fr"]]
    assert find("libraries", theme="quality") == [corpus["a"]]


def test_date_range(corpus, find):
    today = date.today()
    recent = set(find("libraries", date_from=today - timedelta(days=2)))
    assert corpus["b"] in recent and corpus["a"] not in recent
    older = set(find("libraries", date_to=today - timedelta(days=20)))
    assert older == {corpus["a"]}


def test_sort_newest(corpus, find):
    ids = find("libraries", sort="newest", type="article")
    assert ids.index(corpus["b"]) < ids.index(corpus["c_fr"]) < ids.index(corpus["a"])


def test_page_language_ranked_first(corpus, find):
    assert find("learning", lang="fr")[0] == corpus["c_fr"]
    assert find("learning", lang="en")[0] != corpus["c_fr"]


def test_empty_query_is_not_a_search(corpus, ctx):
    page = facade.search("", lang="en")
    assert page.searched is False and page.results == []


def test_pagination_twenty_a_page(make_article, ctx):
    for i in range(45):
        make_article(f"Numeracy workshop {i}", "Counting and budgeting.")
    first = facade.search("numeracy", lang="en")
    third = facade.search("numeracy", page=3, lang="en")
    assert first.total == 45 and first.pages == 3 and len(first.results) == 20
    assert len(third.results) == 5
    assert not {r.item.doc_id for r in first.results} & {r.item.doc_id for r in third.results}


def test_did_you_mean(corpus, ctx):
    page = facade.search("libarries", lang="en")
    assert page.total == 0 and page.suggestion == "libraries"
    # A form the stemmer already matches needs no suggestion.
    assert facade.search("librarys", lang="en").suggestion is None


def test_did_you_mean_link_on_the_page(corpus, client):
    body = client.get("/en/search?q=publik+libraries").get_data(as_text=True)
    assert "Did you mean:" in body and "public libraries" in body


def test_highlights_are_marked_and_escaped(make_article, ctx):
    make_article("Safe <script>alert(1)</script> output",
                 "The &lt;b&gt;workshop&lt;/b&gt; on budgeting &amp; saving.")
    page = facade.search("workshop", lang="en")
    excerpt = str(page.results[0].excerpt_html)
    assert "<mark" in excerpt and "workshop</mark>" in excerpt
    assert "<b>" not in excerpt and "&lt;b&gt;" in excerpt
    assert "<script>" not in str(page.results[0].title_html)


@pytest.mark.parametrize("q", [
    "title:(", '"unclosed', "AND", "x" * 2000, "libraries\x00\x07 public\x1b", "((public",
    "OR OR OR", "public AND", "title:", "*", "a*", ")(", "NOT", 'title:"', "lang:xx", "théâtre~2",
])
def test_malformed_queries_answer_200_with_a_message(corpus, client, q):
    response = client.get("/en/search", query_string={"q": q})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Search" in body


@pytest.mark.parametrize("q", ["title:(", '"unclosed', "AND", "x" * 2000, "libraries\x00 public"])
def test_malformed_queries_get_a_friendly_notice(corpus, ctx, q):
    page = facade.search(q, lang="en")
    assert page.notices


def test_malformed_query_still_searches_its_words(corpus, ctx):
    page = facade.search('"public libraries', lang="en")
    assert page.notices and {r.item.doc_id for r in page.results} >= {corpus["a"]}


def test_search_page_shows_results(corpus, client):
    response = client.get("/en/search?q=tablets")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Digital skills for older adults" in body
    assert "<mark" in body and "1 result" in body
    assert "Wanda Writer" in body


def test_search_page_filters_and_bad_filter_values(corpus, client):
    response = client.get("/en/search?q=public&type=comment&language=zz&from=yesterday&page=x")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Comment on" in body and "not a date" in body


def test_empty_query_page_shows_latest(corpus, client):
    body = client.get("/en/search").get_data(as_text=True)
    assert "Latest discussions" in body and "How do you run reading circles?" in body
    assert "Digital skills for older adults" in body


def test_header_box_submits_q(client):
    body = client.get("/en/search?q=anything").get_data(as_text=True)
    assert 'name="q"' in body


def test_facade_filters_default(corpus, ctx):
    assert facade.search("tablets", filters=Filters()).total == 1


# Expansion against the index keeps only the fields and words it holds; these pin the
# semantics that must survive that pruning.

def test_a_word_the_index_lacks_makes_an_and_match_nothing(corpus, find):
    assert find("libraries zzyzxqv") == []
    assert find("title:zzyzxqv") == []


def test_not_a_word_the_index_lacks_excludes_nothing(corpus, find):
    assert set(find("tablets NOT zzyzxqv")) == {corpus["b"]}
    assert corpus["b"] in find("libraries AND NOT zzyzxqv")


def test_or_with_a_word_the_index_lacks(corpus, find):
    assert set(find("tablets OR zzyzxqv")) == {corpus["b"]}


def test_stop_words_do_not_empty_a_search(corpus, find):
    # "the" is an English stop word: it must neither match nothing nor be required.
    assert corpus["b"] in find("the tablets")
    assert corpus["b"] in find("tablets and the libraries")


def test_phrase_with_a_word_the_index_lacks(corpus, find):
    assert find('"reading zzyzxqv"') == []


def test_expansion_leaves_out_fields_the_index_has_not_got(corpus, app, ctx):
    from app.search.outbox import index_root
    from app.search.query import parse_user_query
    from app.search.store import searcher_slot

    reader = searcher_slot(index_root(app)).searcher.reader()
    pruned = str(parse_user_query("libraries", None, reader).query)
    full = str(parse_user_query("libraries", None).query)
    assert "text_en:librari" in pruned and "text_fi:" not in pruned
    assert "text_fi:" in full  # without a reader, every family is searched


def test_a_filter_nothing_passes_gives_nothing(corpus, find):
    assert find("libraries", theme="policy") == []
    assert find("libraries", theme="policy", sort="newest") == []


def test_results_in_another_language_are_listed_once(corpus, find):
    found = find("libraries", lang="de")  # no German document at all
    assert len(found) == len(set(found)) and corpus["c_fr"] in found



@pytest.mark.parametrize(("lang", "heading"), [
    ("en", ">12,345 results</h2>"), ("de", ">12.345 Ergebnisse</h2>"),
    ("fr", ">12\u202f345 résultats</h2>"), ("en", ">1 result</h2>")])
def test_result_count_is_written_as_numbers_are_in_the_page_language(client, monkeypatch,
                                                                      lang, heading):
    total = 1 if heading == ">1 result</h2>" else 12345
    monkeypatch.setattr(facade, "search", lambda q, **_kw: SearchPage(
        query=q, total=total, searched=True))
    response = client.get(f"/{lang}/search?q=anything")
    assert response.status_code == 200
    assert heading in response.text
