"""The eight interface catalogs: complete, not fuzzy, in step with the code, and well formed."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = ["en", "fr", "de", "es", "it", "pl", "pt", "nl"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]")


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory):
    """A fresh extraction, with exactly the flags `make translations` uses."""
    translations = _script("translations")
    pot = translations.extract(tmp_path_factory.mktemp("pot") / "messages.pot")
    with pot.open("rb") as fh:
        return read_po(fh)


def test_the_extraction_finds_every_kind_of_marker(fresh_template):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in fresh_template if m.id}
    assert "Skip to main content" in ids  # {{ _("...") }} in base.html
    assert "Hello %(name)s," in ids  # a .txt email template
    assert "Wrong username, email or password." in ids  # gettext in a view
    assert "Username or email" in ids  # lazy_gettext (_l) in a form
    assert "Page not found" in ids  # _l in the error table
    # Macros live in app/templates/_macros/, a directory pybabel skips by default.
    assert "Post comment" in ids
    assert "Page %(page)d of %(pages)d" in ids
    plural = [m for m in fresh_template if m.id and m.pluralizable]
    assert any(m.id[0] == "%(num)d unread" for m in plural)  # ngettext in a template


def test_trans_blocks_and_js_are_extracted(tmp_path):
    """{% trans %} blocks (with the app's trim_blocks) and gettext() in page scripts."""
    from babel.messages.extract import extract_from_dir

    (tmp_path / "app" / "templates").mkdir(parents=True)
    (tmp_path / "app" / "static" / "js").mkdir(parents=True)
    (tmp_path / "app" / "static" / "vendor").mkdir(parents=True)
    (tmp_path / "app" / "templates" / "t.html").write_text(
        "{% trans %}\nHello {{ name }}\n{% endtrans %}\n"
        "{% trans count=n %}One apple{% pluralize %}{{ count }} apples{% endtrans %}\n"
    )
    (tmp_path / "app" / "static" / "js" / "x.js").write_text(
        'var _ = window.agoraI18n.gettext; el.textContent = _("Copied");\n'
    )
    (tmp_path / "app" / "static" / "vendor" / "lib.js").write_text('gettext("Vendor string");\n')
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {
        (m if isinstance(m, str) else m[0])
        for _f, _l, m, _c, _x in extract_from_dir(str(tmp_path), method_map, options_map)
    }
    assert "Hello %(name)s\n" in found  # trim_blocks removed the newline after {% trans %}
    assert "One apple" in found
    assert "Copied" in found
    assert "Vendor string" not in found


def test_update_brings_back_each_languages_own_obsolete_translation(tmp_path, monkeypatch):
    """A msgid that reappears gets that catalog's old translation, never another language's."""
    translations = _script("translations")
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    pot = tmp_path / "messages.pot"
    pot.write_text(header + 'msgid "Delete"\nmsgstr ""\n', encoding="utf-8")
    old = {"fr": "Supprimer", "de": "Löschen", "nl": None}
    for lang, text in old.items():
        po = tmp_path / lang / "LC_MESSAGES" / "messages.po"
        po.parent.mkdir(parents=True)
        body = f'#~ msgid "Delete"\n#~ msgstr "{text}"\n' if text else ""
        po.write_text(header + body, encoding="utf-8")
    monkeypatch.setattr(translations, "TRANSLATIONS", tmp_path)
    monkeypatch.setattr(translations, "POT", pot)
    monkeypatch.setattr(translations, "LANGUAGES", list(old))
    monkeypatch.setattr(translations, "extract", lambda output=pot: output)
    translations.update()
    for lang, text in old.items():
        with (tmp_path / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            assert read_po(fh, locale=lang)["Delete"].string == (text or ""), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_extracted_msgid(lang, fresh_template):
    catalog = _catalog(lang)
    missing = [m.id for m in fresh_template if m.id and m.id not in catalog]
    assert not missing, (
        f"{lang}: {len(missing)} msgids missing; run `make translations`, then "
        f"`python scripts/untranslated.py`: {missing[:10]}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete_and_not_fuzzy(lang):
    catalog = _catalog(lang)
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy entries: {fuzzy[:10]}"
    if lang == "en":
        return  # the source language: an empty msgstr shows the msgid
    empty = [
        m.id for m in catalog
        if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert not empty, f"{lang}: {len(empty)} untranslated: {empty[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_translations_keep_placeholders_and_plural_forms(lang):
    catalog = _catalog(lang)
    # The Plural-Forms header pybabel init writes for the language (Polish: 3, German: 2).
    assert catalog.num_plurals == get_plural(lang).num_plurals
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in strings:
            if not text:
                continue  # untranslated: test_catalog_is_complete_and_not_fuzzy reports it
            got = set(PLACEHOLDER.findall(text))
            if message.pluralizable:
                assert got <= wanted, (lang, message.id, text)
            else:
                assert got == wanted, (lang, message.id, text)
        if message.pluralizable:
            assert len(strings) == catalog.num_plurals, (lang, message.id)


def test_untranslated_script_reports_nothing_left():
    assert _script("untranslated").main(["--check"]) == 0
