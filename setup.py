"""Build hooks only: metadata lives in setup.cfg.

The interface catalogs (app/translations/*/LC_MESSAGES/messages.po) are compiled to .mo
while the package is built, so `pip install .` and `pip install -e .` give a working
interface without committing binary .mo files. Babel is a build requirement
(pyproject.toml [build-system]).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def compile_catalogs(translations: Path) -> list[Path]:
    """messages.po -> messages.mo in every language folder; fuzzy entries are left out."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class BuildPyWithCatalogs(build_py):
    """build_py, then compile the catalogs where the installed package will read them."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            # Editable install: the package is imported from the source tree.
            target = HERE / "app" / "translations"
        else:
            target = Path(self.build_lib) / "app" / "translations"
        written = compile_catalogs(target)
        self.announce(f"compiled {len(written)} catalogs in {target}", level=2)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:  # noqa: FBT001, FBT002
        # List the .mo files as outputs so wheel/editable builders account for them.
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            target = Path(self.build_lib) / "app" / "translations"
            outputs += [str(p.with_suffix(".mo"))
                        for p in target.glob("*/LC_MESSAGES/messages.po")]
        return outputs


# Search's posting-list merges in C (app/search/_merge.c; dense.py falls back to numpy
# when it is not built). -ffp-contract=off: scores must add up as numpy adds them.
MERGE = Extension("app.search._merge", sources=["app/search/_merge.c"],
                  extra_compile_args=["-O2", "-ffp-contract=off"])

setup(cmdclass={"build_py": BuildPyWithCatalogs}, ext_modules=[MERGE])
