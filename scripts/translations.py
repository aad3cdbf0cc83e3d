"""The interface catalogs: extract, update, compile, check. One place for the pybabel flags.

    python scripts/translations.py extract [-o FILE]   # messages.pot (default in app/translations)
    python scripts/translations.py update              # extract, init missing catalogs, update all
    python scripts/translations.py compile             # .po -> .mo (fuzzy entries left out)
    python scripts/translations.py check               # exit 1 if a catalog lags the code

`make translations` runs update then compile; `make run`/`make test` run compile. The test
suite (tests/i18n) imports this module, so the test extracts exactly what the Makefile does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
MAPPING = ROOT / "babel.cfg"

# The interface languages with hand-checked catalogs (app/config.py INTERFACE_LANGUAGES).
LANGUAGES = ["en", "fr", "de", "es", "it", "pl", "pt", "nl"]

# Besides pybabel's defaults (_, gettext, ngettext, pgettext, N_, ...): the lazy variants
# used at import time in forms, validators and error tables.
KEYWORDS = [
    "_l",
    "lazy_gettext",
    "lazy_ngettext:1,2",
    "lazy_pgettext:1c,2",
    "ngettext:1,2",
]


def _pybabel(*args: str) -> None:
    """Run pybabel in-process (same code path as the CLI, no PATH lookup)."""
    cli = CommandLineInterface()
    cli.run(["pybabel", "-q", *args])


def extract(output: Path = POT) -> Path:
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    _pybabel(
        "extract", "-F", str(MAPPING), *keywords,
        "--add-comments=TRANSLATORS:", "--no-location", "--sort-output",
        "--project=Agora", "--copyright-holder=Agora contributors",
        "--no-wrap",
        # pybabel's default skips every directory whose name starts with "_" or ".", which
        # silently dropped app/templates/_macros/ (the comment and form macros). Keep only
        # the dot-directories (.venv, .git) and caches out.
        "--ignore-dirs", ".* __pycache__ node_modules",
        "-o", str(output), str(ROOT),
    )
    return output


def update() -> None:
    """Extract, create any missing catalog (`pybabel init`), then merge the template in all.

    Unlike `pybabel update`, a msgid that disappears is kept as an obsolete (#~) entry and
    its translation comes back unchanged when the same msgid reappears: with several people
    editing templates, a string often vanishes for a while (a template being rewritten).
    No fuzzy matching: a guessed translation of a near-identical msgid is worse than none.
    """
    from babel.messages.pofile import read_po, write_po

    extract(POT)
    for lang in LANGUAGES:
        po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang, "--no-wrap")
        # A fresh template per language: Catalog.update() inserts the template's own Message
        # objects for new msgids, so restoring a translation below would otherwise write it
        # into the template and leak it into every later language (French "Supprimer" in
        # the German catalog).
        with POT.open("rb") as fh:
            template = read_po(fh)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        remembered = dict(catalog.obsolete)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        for message in catalog:
            key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            old = remembered.get(message.id if isinstance(message.id, str) else key)
            if not key or old is None or old.id != message.id:
                continue
            if any(message.string if isinstance(message.string, tuple) else [message.string]):
                continue
            message.string = old.string
            message.flags = set(old.flags) | (message.flags - {"fuzzy"})
            catalog.obsolete.pop(old.id if isinstance(old.id, str) else key, None)
        with po.open("wb") as fh:
            write_po(fh, catalog, width=None, ignore_obsolete=False, include_previous=False)


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Write messages.mo beside every messages.po; fuzzy entries are left out.

    setup.py does the same at install time (it cannot import this file from an sdist).
    A catalog whose header is still marked fuzzy (fresh from `pybabel init`) compiles too:
    its untranslated entries fall back to English, and `check` reports it.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract")
    ext.add_argument("-o", "--output", type=Path, default=POT)
    sub.add_parser("update")
    sub.add_parser("compile")
    sub.add_parser("check")
    args = parser.parse_args(argv)
    if args.command == "extract":
        extract(args.output)
    elif args.command == "update":
        update()
    elif args.command == "compile":
        for mo in compile_catalogs():
            print(f"compiled {mo.relative_to(ROOT)}")
    elif args.command == "check":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from untranslated import main as untranslated_main

        return untranslated_main(["--check"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
