"""What is left to translate, per language, and a way to fill it in without editing .po by hand.

    python scripts/untranslated.py                 # list untranslated/fuzzy msgids per language
    python scripts/untranslated.py --json todo.json  # the same as JSON, ready to fill in
    python scripts/untranslated.py --apply done.json  # merge translations into the catalogs
    python scripts/untranslated.py --check         # exit 1 when anything is left (CI, tests)

Run `make translations` first so the catalogs hold every msgid the code marks. English is the
source language: its msgstr may stay empty (gettext then shows the msgid), so it is listed only
for fuzzy entries.

JSON shape (both ways): {"fr": {"msgid": "msgstr", "%(num)d item": ["%(num)d élément",
"%(num)d éléments"]}, ...}. For a plural entry the key is the singular msgid and the value one
string per plural form of that language (Polish: 3). --apply clears the fuzzy flag of every
entry it fills and refuses a translation whose %(placeholders)s differ from the msgid's.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
SOURCE_LANGUAGE = "en"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdif]")


def catalog_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def load(lang: str) -> Catalog:
    with catalog_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def save(lang: str, catalog: Catalog) -> None:
    with catalog_path(lang).open("wb") as fh:
        # Obsolete (#~) entries are kept: scripts/translations.py update revives them.
        write_po(fh, catalog, width=None, ignore_obsolete=False)


def _strings(message: Message) -> list[str]:
    if isinstance(message.string, (list, tuple)):
        return list(message.string)
    return [message.string or ""]


def needs_work(lang: str, message: Message) -> bool:
    if not message.id:  # the header
        return False
    if message.fuzzy:
        return True
    if lang == SOURCE_LANGUAGE:
        return False
    return not all(_strings(message))


def todo(lang: str) -> list[Message]:
    return [m for m in load(lang) if needs_work(lang, m)]


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def apply(data: dict[str, dict[str, str | list[str]]]) -> list[str]:
    """Merge translations; return the problems (nothing is written for a language with any)."""
    problems: list[str] = []
    for lang, entries in data.items():
        catalog = load(lang)
        by_key = {_key(m): m for m in catalog if m.id}
        lang_problems = []
        for key, value in entries.items():
            message = by_key.get(key)
            if message is None:
                # Not (or no longer) in the code: keep it as an obsolete entry, so the next
                # `make translations` brings it back if the msgid (re)appears.
                if isinstance(value, str) and key not in catalog.obsolete:
                    catalog.obsolete[key] = Message(key, value)
                print(f"{lang}: {key!r} is not in the catalog: kept as obsolete", file=sys.stderr)
                continue
            ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
            if message.pluralizable:
                forms = value if isinstance(value, list) else [value]
                if len(forms) != catalog.num_plurals:
                    lang_problems.append(f"{lang}: {key!r} needs {catalog.num_plurals} "
                                         f"plural forms, got {len(forms)}")
                    continue
                message.string = tuple(forms)
            else:
                if not isinstance(value, str):
                    lang_problems.append(f"{lang}: {key!r} is not a plural entry")
                    continue
                forms = [value]
                message.string = value
            wanted = placeholders(" ".join(ids))
            for form in forms:
                # A plural form may drop the number ("one item") but never invent a name.
                if not placeholders(form) <= wanted or (
                    not message.pluralizable and placeholders(form) != wanted
                ):
                    lang_problems.append(f"{lang}: placeholders differ in {key!r}: {form!r}")
            message.flags.discard("fuzzy")
        if lang_problems:
            problems.extend(lang_problems)
        else:
            save(lang, catalog)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write what is left as JSON to this file")
    parser.add_argument("--apply", type=Path, help="merge the translations in this JSON file")
    parser.add_argument("--check", action="store_true", help="exit 1 if anything is left")
    parser.add_argument("languages", nargs="*", help="only these languages")
    args = parser.parse_args(argv)

    if args.apply:
        problems = apply(json.loads(args.apply.read_text(encoding="utf-8")))
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0

    left: dict[str, dict[str, str | list[str]]] = {}
    for lang in args.languages or languages():
        catalog = load(lang)
        for message in todo(lang):
            if message.pluralizable:
                empty: str | list[str] = [""] * catalog.num_plurals
                if isinstance(message.string, (list, tuple)) and any(message.string):
                    empty = list(message.string)
            else:
                empty = message.string or ""
            left.setdefault(lang, {})[_key(message)] = empty
    if args.json:
        args.json.write_text(json.dumps(left, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    elif not args.check:
        for lang, entries in left.items():
            print(f"== {lang}: {len(entries)} to translate")
            for key in entries:
                print(f"  {key}")
    total = sum(len(e) for e in left.values())
    if args.check or args.json:
        print(f"{total} entries left to translate"
              + (f" ({', '.join(f'{k}: {len(v)}' for k, v in left.items())})" if left else ""))
    return 1 if (args.check and total) else 0


if __name__ == "__main__":
    sys.exit(main())
