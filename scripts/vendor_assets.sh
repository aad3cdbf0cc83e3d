#!/usr/bin/env bash
# Fetch pinned front-end assets from the npm registry into app/static/vendor/.
#
# Run by `make vendor`. Nothing here runs at install time: the fetched files are
# committed, so installing Agora never needs npm and no page loads from a CDN.
# To upgrade, change the pinned version below, run `make vendor`, review the diff.
set -euo pipefail

TRIX_VERSION="2.1.19"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/app/static/vendor/trix"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
# `npm pack` downloads the published tarball without installing anything.
TARBALL="$(npm pack --silent "trix@${TRIX_VERSION}" | tail -n 1)"
tar -xzf "$TARBALL"

pick() {  # first existing file among the candidates
  for candidate in "$@"; do
    if [ -f "package/$candidate" ]; then
      echo "package/$candidate"
      return 0
    fi
  done
  echo "none of: $*" >&2
  return 1
}

JS="$(pick dist/trix.umd.min.js dist/trix.umd.js dist/trix.js)"
CSS="$(pick dist/trix.css)"
LICENSE_FILE="$(pick LICENSE LICENSE.md LICENSE.txt)"

mkdir -p "$DEST"
rm -f "$DEST"/*
cp "$JS" "$DEST/trix.umd.min.js"
cp "$CSS" "$DEST/trix.css"
cp "$LICENSE_FILE" "$DEST/LICENSE"
{
  echo "trix ${TRIX_VERSION}"
  echo "source: https://registry.npmjs.org/trix/-/trix-${TRIX_VERSION}.tgz"
  echo "files: $(basename "$JS") -> trix.umd.min.js, dist/trix.css -> trix.css"
  echo "sha256 of tarball: $(sha256sum "$TARBALL" | cut -d' ' -f1)"
} > "$DEST/VERSION"

echo "trix ${TRIX_VERSION} vendored into ${DEST#"$ROOT"/}"

# ---------------------------------------------------------------------------
# axe-core: the accessibility engine the browser tests inject (tests/browser/).
# Owned by the browser-tests area. It is a test asset, not a page asset, so it
# lives under tests/browser/vendor/ and is never served by the app.
# Runs in a subshell with its own scratch folder so it cannot disturb the
# section above (its working directory or its EXIT trap).
# ---------------------------------------------------------------------------
AXE_VERSION="4.14.1"
(
  AXE_DEST="$ROOT/tests/browser/vendor/axe-core"
  AXE_WORK="$(mktemp -d)"
  trap 'rm -rf "$AXE_WORK"' EXIT
  cd "$AXE_WORK"
  AXE_TARBALL="$(npm pack --silent "axe-core@${AXE_VERSION}" | tail -n 1)"
  tar -xzf "$AXE_TARBALL"
  mkdir -p "$AXE_DEST"
  rm -f "$AXE_DEST"/*
  cp package/axe.min.js "$AXE_DEST/axe.min.js"
  cp package/LICENSE "$AXE_DEST/LICENSE"
  {
    echo "axe-core ${AXE_VERSION}"
    echo "source: https://registry.npmjs.org/axe-core/-/axe-core-${AXE_VERSION}.tgz"
    echo "files: axe.min.js, LICENSE"
    echo "sha256 of tarball: $(sha256sum "$AXE_TARBALL" | cut -d' ' -f1)"
  } > "$AXE_DEST/VERSION"
  echo "axe-core ${AXE_VERSION} vendored into ${AXE_DEST#"$ROOT"/}"
)
