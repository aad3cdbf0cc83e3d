"""Languages: the configured list, locale choice and the /<lang>/ URL prefix.

Every page lives under a language prefix. The prefix chooses the interface
language (falling back to English strings where no catalog exists) and the
preferred content language at once. Any configured language is a valid Babel
locale, so dates and numbers use that language's CLDR data even when its
interface strings fall back to English (Flask-Babel loads a null catalog).
See docs/i18n.md for the catalog workflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from flask import Flask, Request, current_app, g, has_request_context, request
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

    from app import timeutil

    # Locale-aware filters besides templating.py's reltime/datetime/iso.
    app.jinja_env.filters["date"] = timeutil.local_date
    app.jinja_env.filters["number"] = timeutil.number
    app.jinja_env.filters["zoned_datetime"] = timeutil.zoned_datetime
    app.add_url_rule("/<lang:lang>/i18n.js", "i18n_js", js_catalog)

    @app.context_processor
    def language_context():
        return {
            "current_lang": current_lang(),
            "interface_lang": interface_lang(),
            "language_name": language_name,
            "content_languages": current_app.config["LANGUAGES"],
            "lang_switch_url": lang_switch_url,
        }


def current_lang() -> str:
    """The page language: the URL prefix, else the default.

    A URL that matched no route (a 404 under /fr/...) never reaches the URL value
    preprocessor, so the prefix is read from the path itself: its error page is French too.
    """
    lang = g.get("lang")
    if lang:
        return lang
    if has_request_context():
        return path_language(request.path, current_app.config)
    return current_app.config["DEFAULT_LANGUAGE"]


def path_language(path: str, config: Mapping[str, Any]) -> str:
    """The language a path's first segment names, else the default (also used in
    front of Flask by app/page_cache_fastpath.py)."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in config["LANGUAGES"] else config["DEFAULT_LANGUAGE"]


def interface_lang(code: str | None = None) -> str:
    """The language the interface strings are actually in: `code` if it has a catalog, else en.

    Useful for a `lang` attribute on interface chrome when the page language (content) is
    one of the languages without a catalog.
    """
    code = code or current_lang()
    if code in current_app.config.get("INTERFACE_LANGUAGES", ()):
        return code
    return current_app.config["DEFAULT_LANGUAGE"]


def select_locale() -> str:
    """Flask-Babel's locale selector: the URL prefix decides."""
    return current_lang()


# Each language's name in itself, as CLDR gives it (capitalised), written out: asking
# Babel loads each language's whole CLDR file and keeps it, ~1 MB each, 24 MB in every
# worker. tests/i18n checks the table against Babel.
NATIVE_NAMES = {
    "bg": "Български", "cs": "Čeština", "da": "Dansk", "de": "Deutsch", "el": "Ελληνικά",
    "en": "English", "es": "Español", "et": "Eesti", "fi": "Suomi", "fr": "Français",
    "ga": "Gaeilge", "hr": "Hrvatski", "hu": "Magyar", "it": "Italiano", "lt": "Lietuvių",
    "lv": "Latviešu", "mt": "Malti", "nl": "Nederlands", "pl": "Polski", "pt": "Português",
    "ro": "Română", "sk": "Slovenčina", "sl": "Slovenščina", "sv": "Svenska",
}


@cache
def _native_name(code: str) -> str:
    if code in NATIVE_NAMES:
        return NATIVE_NAMES[code]
    return _cldr_native_name(code)


def _cldr_native_name(code: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name, by default in that language itself ("Deutsch", "Polski").

    With `in_language`, CLDR's name as used inside a sentence ("traduit en anglais",
    "auf Englisch"): lower case where the language writes it so, never capitalised here.
    """
    if in_language is None:
        return _native_name(code)
    return _name_in(code, in_language)


@lru_cache(maxsize=1024)
def _name_in(code: str, in_language: str) -> str:
    # Cached: CLDR data does not change, and Locale.parse builds a new Locale per call.
    try:
        return Locale.parse(code).get_display_name(in_language) or code
    except (ValueError, LookupError):
        return code


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


def lang_switch_url(code: str) -> str:
    """This same page (path and query) in language `code`; the home page for unprefixed pages.

    Every prefixed URL starts with /<lang>/, so swapping that segment is enough: the
    language selector and the hreflang links call this 48 times a page, and a
    url_for per call was a measurable share of rendering.
    """
    root, rest = _switch_parts(request._get_current_object())  # type: ignore[attr-defined]
    return f"{root}/{code}/{rest}"


def _switch_parts(req: Request) -> tuple[str, str]:
    """(script root, what follows the language segment, query included): once per request.

    Kept on the request object, not on `g`: a test's app context can outlive requests.
    """
    parts = getattr(req, "_agora_switch_parts", None)
    if parts is None:
        rest = ""
        rule = req.url_rule
        if req.endpoint and rule is not None and "lang" in rule.arguments:
            current = req.path.lstrip("/").split("/", 1)
            rest = current[1] if len(current) > 1 else ""
            query = req.query_string.decode("latin-1")
            if query:
                rest = f"{rest}?{query}"
        parts = (req.script_root, rest)
        req._agora_switch_parts = parts  # type: ignore[attr-defined]
    return parts


JS_DIR = "static/js"


@cache
def _js_messages(static_js: str) -> tuple[tuple[str, str | None], ...]:
    """(msgid, msgid_plural) of every string app/static/js marks, found as pybabel finds them."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, str | None] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        static_js, method_map=[("**.js", "javascript")]
    ):
        if isinstance(message, tuple):
            found[message[0]] = message[1]
        else:
            found.setdefault(message, None)
    return tuple(sorted(found.items()))


def js_catalog():  # noqa: ANN201
    """/<lang>/i18n.js: the translations of the strings app/static/js marks, for page scripts.

    Scripts call window.agoraI18n.gettext("Copy link") / .ngettext("%(num)d file",
    "%(num)d files", n, {num: n}); the catalog is built from the compiled .mo of the page
    language, so it follows the same fallback to English as the templates. The plural rule
    is the catalog's gettext Plural-Forms expression (C syntax, also valid JavaScript).
    """
    import json
    import os

    from flask import Response
    from flask_babel import get_translations

    translations = get_translations()
    compiled = getattr(translations, "_catalog", {})  # {} for a language without a catalog
    catalog: dict[str, str | list[str]] = {}
    folder = os.path.join(current_app.root_path, JS_DIR)
    plural, nplurals = "n != 1", 2  # English, also for languages without a catalog
    if compiled:
        from babel.messages.plurals import get_plural
        from flask_babel import get_locale

        # The same rule `pybabel init` wrote into the catalog's Plural-Forms header
        # (Flask-Babel's merged catalog does not keep the header itself).
        rule = get_plural(str(get_locale()))
        plural, nplurals = rule.plural_expr, rule.num_plurals
    for msgid, plural_id in _js_messages(folder):
        if plural_id is None:
            catalog[msgid] = translations.gettext(msgid)
        else:
            # Read every plural form from the compiled catalog; the JS rule picks one.
            forms = [compiled.get((msgid, i)) for i in range(nplurals)]
            catalog[msgid] = forms if all(forms) else [msgid, plural_id]
    # Only our own catalog header reaches this expression; no user input does.
    body = (
        "window.agoraI18n=(function(){\"use strict\";"
        f"var m={json.dumps(catalog, ensure_ascii=False)};"
        f"function p(n){{return Number({plural});}}"
        "function f(s,v){return v?s.replace(/%\\((\\w+)\\)[sd]/g,function(a,k){"
        "return k in v?String(v[k]):a;}):s;}"
        "return{gettext:function(s,v){var t=m[s];return f(typeof t===\"string\"?t:s,v);},"
        "ngettext:function(s,pl,n,v){var t=m[s];var i=Array.isArray(t)?p(n):(n===1?0:1);"
        "var r=Array.isArray(t)?(t[i]||t[t.length-1]):(i===0?s:pl);return f(r,v);}};})();\n"
    )
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
