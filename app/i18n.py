"""Languages: the configured list, locale choice and the /<lang>/ URL prefix.

Every page lives under a language prefix. The prefix chooses the interface
language (falling back to English strings where no catalog exists) and the
preferred content language at once.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask import Flask, current_app, g, request
from werkzeug.routing import BaseConverter

LANG_COOKIE = "agora_lang"
TZ_COOKIE = "agora_tz"


class LanguageConverter(BaseConverter):
    """Matches only configured language codes, so /xx/... is a plain 404."""

    def __init__(self, url_map, *args, **kwargs):  # noqa: ANN001
        super().__init__(url_map)
        codes = sorted(url_map.agora_languages, key=len, reverse=True)
        self.regex = "(?:" + "|".join(codes) + ")"


def init_app(app: Flask) -> None:
    app.url_map.agora_languages = list(app.config["LANGUAGES"])  # type: ignore[attr-defined]
    app.url_map.converters["lang"] = LanguageConverter

    @app.url_value_preprocessor
    def pull_lang(endpoint, values):  # noqa: ANN001
        if values and "lang" in values:
            g.lang = values.pop("lang")

    @app.url_defaults
    def add_lang(endpoint, values):  # noqa: ANN001
        if "lang" in values or endpoint not in app.url_map._rules_by_endpoint:
            return
        if not app.url_map.is_endpoint_expecting(endpoint, "lang"):
            return
        values["lang"] = current_lang()

    @app.context_processor
    def language_context():
        return {
            "current_lang": current_lang(),
            "language_name": language_name,
            "content_languages": current_app.config["LANGUAGES"],
            "lang_switch_url": lang_switch_url,
        }


def current_lang() -> str:
    return g.get("lang") or current_app.config["DEFAULT_LANGUAGE"]


def select_locale() -> str:
    """Flask-Babel's locale selector: the URL prefix decides."""
    return current_lang()


@cache
def _native_name(code: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name, by default in that language itself ("Deutsch", "Polski")."""
    if in_language is None:
        return _native_name(code)
    try:
        name = Locale.parse(code).get_display_name(in_language) or code
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]


def negotiate_language(user_language: str | None = None) -> str:
    """For '/': the member's setting, then the cookie, then Accept-Language, then default."""
    languages = current_app.config["LANGUAGES"]
    if user_language in languages:
        return user_language  # type: ignore[return-value]
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie  # type: ignore[return-value]
    best = request.accept_languages.best_match(languages)
    if best:
        return best
    # "fr-CA" should still find "fr": match on the primary subtag.
    for value, _quality in request.accept_languages:
        primary = value.split("-")[0].lower()
        if primary in languages:
            return primary
    return current_app.config["DEFAULT_LANGUAGE"]


def lang_switch_url(code: str, **extra) -> str:  # noqa: ANN003
    """This same page in language `code` (the home page when the page has no prefix)."""
    from flask import url_for

    rule = request.url_rule
    if request.endpoint and rule is not None and "lang" in rule.arguments:
        values = dict(request.view_args or {})
        values.update(extra)
        values["lang"] = code
        query = {k: v for k, v in request.args.items() if k not in values}
        return url_for(request.endpoint, **values, **query)
    return url_for("main.home", lang=code)
