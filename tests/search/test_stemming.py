"""Each language's words are stemmed its own way, on both sides (documents and queries)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("language", "text", "query"),
    [
        ("en", "Adults keep learning in libraries", "learned"),
        ("en", "Community organisations train volunteers", "organisation"),
        ("fr", "La reconnaissance de l'apprentissage informel", "apprentissages"),
        ("fr", "Les formateurs éducatifs", "formateur"),
        ("de", "Die Freude des Lernens im Alter", "Lernen"),
        ("de", "Wir lernen gemeinsam", "Lernens"),
        ("es", "Los programas de alfabetización digital", "programa"),
        ("es", "Las bibliotecas públicas", "biblioteca"),
    ],
)
def test_stemmed_languages_find_other_forms(make_article, find, language, text, query):
    article = make_article(text, "Body text.", language=language)
    assert find(query) == [f"article:{article.id}:{language}"]


def test_stemming_stays_within_the_document_language(make_article, find):
    """German text is not stemmed as English: 'Lernens' is found in German, not in Polish."""
    de = make_article("Die Freude des Lernens", language="de")
    make_article("Lernens bez zmian", language="pl")
    assert f"article:{de.id}:de" in find("Lernen")
    assert len(find("Lernen")) == 1


def test_language_without_stemmer_matches_exact_words_and_folds_accents(make_article, find):
    pl = make_article("Uczenie się dorosłych w bibliotekach", language="pl")
    el = make_article("Εκπαίδευση ενηλίκων", language="el")
    assert find("dorosłych") == [f"article:{pl.id}:pl"]
    assert find("doroslych") == [f"article:{pl.id}:pl"]  # accent-folded both ways
    assert find("dorosły") == []  # no stemmer: another form is another word
    assert find("ενηλίκων") == [f"article:{el.id}:el"]


def test_accents_are_folded_after_stemming(make_article, find):
    fr = make_article("Une éducation pour tous", language="fr")
    assert find("education") == [f"article:{fr.id}:fr"]


def test_stop_words_do_not_match_everything(make_article, find):
    make_article("The value of the library", language="en")
    make_article("Learning at work", language="en")
    assert len(find("the library")) == 1
