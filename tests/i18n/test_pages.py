"""Pages speak the language of their URL prefix: navigation, forms, messages, errors."""

from __future__ import annotations

import pytest

NAV = {
    "fr": ["Articles", "Discussions", "Se connecter", "S’inscrire", "Aller au contenu principal"],
    "de": ["Artikel", "Diskussionen", "Anmelden", "Registrieren", "Zum Hauptinhalt springen"],
}


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_navigation_is_translated(client, lang):
    page = text(client.get(f"/{lang}/auth/login"))
    assert f'<html lang="{lang}"' in page
    for label in NAV[lang]:
        assert label in page
    assert "Skip to main content" not in page
    assert ">Sign up<" not in page


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("fr", ["Nom d’utilisateur ou e-mail", "Mot de passe", "Se souvenir de moi"]),
        ("de", ["Benutzername oder E-Mail", "Passwort", "Angemeldet bleiben"]),
    ],
)
def test_login_form_labels_are_translated(client, lang, labels):
    page = text(client.get(f"/{lang}/auth/login"))
    for label in labels:
        assert label in page
    assert "Username or email" not in page


def test_register_form_labels_are_translated(client):
    page = text(client.get("/fr/auth/register"))
    for label in ["Nom d’utilisateur", "Répétez le mot de passe", "Langue préférée"]:
        assert label in page
    page = text(client.get("/de/auth/register"))
    for label in ["Benutzername", "Passwort wiederholen", "Bevorzugte Sprache"]:
        assert label in page


def test_empty_register_form_answers_in_french(client):
    response = client.post("/fr/auth/register", data={"preferred_language": "fr"})
    page = text(response)
    assert response.status_code == 422
    # WTForms' own DataRequired message, through Flask-WTF's i18n and the page locale.
    assert "Ce champ est requis." in page
    assert "This field is required." not in page


def test_invalid_register_form_answers_in_french(client):
    response = client.post("/fr/auth/register", data={
        "username": "x", "email": "not-an-address", "password": "short", "password2": "other",
        "preferred_language": "fr", "website": "",
    })
    page = text(response)
    assert response.status_code == 422
    assert "Adresse électronique non valide." in page  # WTForms' Email()
    assert "Utilisez au moins 10 caractères." in page  # our StrongPassword
    assert "Les mots de passe ne correspondent pas." in page  # EqualTo, our message
    assert "3 à 40 lettres" in page  # Regexp, our message


def test_invalid_register_form_answers_in_german(client):
    response = client.post("/de/auth/register", data={"preferred_language": "de"})
    assert "Dieses Feld wird benötigt." in text(response)


def test_unknown_page_under_fr_is_a_french_404(client):
    response = client.get("/fr/no-such-page/at-all")
    page = text(response)
    assert response.status_code == 404
    assert '<html lang="fr"' in page
    assert "Page introuvable" in page
    assert "Page not found" not in page


def test_page_title_is_translated(client):
    page = text(client.get("/de/auth/login"))
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "Anmelden" in title


def test_language_without_catalog_falls_back_to_english(client):
    response = client.get("/fi/auth/login")
    page = text(response)
    assert response.status_code == 200
    assert '<html lang="fi"' in page
    assert "Skip to main content" in page
    assert "Username or email" in page
    response = client.post("/fi/auth/register", data={})
    assert response.status_code == 422


def test_language_selector_names_languages_in_their_own_language(client):
    page = text(client.get("/en/auth/login"))
    for name in ["Deutsch", "Français", "Polski", "Español", "Italiano", "Português",
                 "Nederlands", "Suomi"]:
        assert name in page


def test_js_catalog_follows_the_page_language(client):
    response = client.get("/pl/i18n.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    body = text(response)
    assert body.startswith("window.agoraI18n=")
    # The Polish plural rule (three forms) comes from the catalog's header.
    assert "n % 10 >= 2" in body
    assert client.get("/fi/i18n.js").status_code == 200
