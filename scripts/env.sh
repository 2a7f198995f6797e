# Shared settings for the project scripts (sourced, not run).
# A persistent target directory outside the clone, so fresh clones (CI) reuse earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/letterpress-target}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# Installs what a fresh Debian machine of this kind lacks: node/npm and the npm packages.
ensure_node_packages() {
  if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; fi
  fi
  if [ ! -x "$ROOT/node_modules/.bin/mjml" ] || [ ! -x "$ROOT/node_modules/.bin/esbuild" ] \
    || [ ! -f "$ROOT/node_modules/xliff/package.json" ] \
    || [ ! -x "$ROOT/node_modules/.bin/aws-ses-v2-local" ]; then
    # `npm ci`: exactly what package-lock.json pins, never what the registry serves today.
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is missing: install Rust with rustup (https://rustup.rs)" >&2
    exit 2
  fi
}

# Debian packages the desktop app needs to build (WebKitGTK) and its end-to-end tests need to
# run (Xvfb, WebKitWebDriver, ImageMagick for screenshots); libdbus for the keyring crate, and
# GNOME Keyring + D-Bus so the sync tests exercise the real Secret Service path.
SYSTEM_PACKAGES="libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev \
  pkg-config libssl-dev build-essential xvfb webkit2gtk-driver imagemagick xauth \
  gettext libxml2-utils python3 python3-pip libdbus-1-dev gnome-keyring dbus libsecret-tools"
ensure_system_packages() {
  if pkg-config --exists webkit2gtk-4.1 2>/dev/null && command -v Xvfb >/dev/null \
    && command -v WebKitWebDriver >/dev/null && command -v msgfmt >/dev/null \
    && command -v xmllint >/dev/null && command -v python3 >/dev/null \
    && pkg-config --exists dbus-1 2>/dev/null && command -v gnome-keyring-daemon >/dev/null \
    && command -v dbus-run-session >/dev/null; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages; run as root or install: $SYSTEM_PACKAGES" >&2
    exit 2
  fi
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $SYSTEM_PACKAGES >/dev/null
}

# Python packages the translation tests use as independent implementations (PO: polib; CLDR
# plural rules: babel). Pinned: babel's CLDR release must be the one the vendored plural rules
# follow (`CLDR_VERSION` in crates/locales/src/plural.rs; babel 2.19.0 ships CLDR 49).
# aiosmtpd: the local SMTP server the test-send tests deliver to (crates/test-support).
PYTHON_PACKAGES="polib==1.2.0 babel==2.19.0 aiosmtpd==1.4.6"
ensure_python_packages() {
  local missing=""
  for pin in $PYTHON_PACKAGES; do
    local name="${pin%%==*}" want="${pin#*==}"
    local have
    have=$(python3 -c "import importlib.metadata as m; print(m.version('$name'))" 2>/dev/null || true)
    [ "$have" = "$want" ] || missing="$missing $pin"
  done
  if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    python3 -m pip install --quiet --disable-pip-version-check $missing 2>/dev/null \
      || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages $missing
  fi
}

# tauri-driver drives the real app through WebKitWebDriver in the e2e tests.
ensure_tauri_driver() {
  if [ "$(tauri-driver --version 2>/dev/null | awk '{print $2}')" != "2.1.0" ]; then
    cargo install -q tauri-driver --version 2.1.0 --locked
  fi
}
