# shellcheck shell=bash
# Shared set-up for scripts/run and scripts/test (sourced, not run).
# Every step checks first and prints nothing when there is nothing to do, so
# running the scripts again is quick and quiet.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
PYTHON="${PYTHON:-python3}"

# Debian/Ubuntu libraries WeasyPrint (PDF export) loads at run time; see
# https://doc.courtbouillon.org/weasyprint/stable/first_steps.html
# fonts-liberation2: Liberation Sans (SIL OFL 1.1, metric-compatible with Arial), the
# closure summary's only font, embedded in the PDF (docs/closure-summary.md).
WEASYPRINT_DEBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2)

ensure_python() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "error: Python 3.11 or newer is needed as '$PYTHON' (set PYTHON=... to choose one)" >&2
    exit 1
  fi
}

ensure_venv() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    echo "Creating $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  # Reinstall only when pyproject.toml changed since the last install: the
  # package itself is installed editable, so code changes need nothing.
  local stamp="$VENV/.portal-installed" want
  want="$(sha256sum "$REPO_ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  echo "Installing the portal and its dependencies into .venv (pip install -e '.[dev]')"
  (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]')
  echo "$want" >"$stamp"
}

# apt_install WHAT PACKAGE...: install the Debian packages not yet installed.
# Not fatal on failure: the caller decides what a missing package means.
apt_install() {
  local what="$1" missing=() pkg
  shift
  command -v dpkg >/dev/null 2>&1 || return 1 # not Debian/Ubuntu: see README.md
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "warning: $what needs: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
  echo "Installing ${missing[*]} ($what) with apt-get"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"; } >/dev/null; then
    echo "warning: could not install ${missing[*]} ($what)" >&2
    return 1
  fi
}

ensure_system_packages() {
  # Only PDF export needs these, and the rest should still run without them.
  apt_install "PDF export with WeasyPrint" "${WEASYPRINT_DEBS[@]}" || true
}

# The end-to-end tests drive Debian's Chromium with Playwright (tests/e2e/).
# They fail, not skip, when it is missing: CI must exercise them.
ensure_browser() {
  apt_install "end-to-end browser tests" chromium || true
}

ensure_everything() {
  ensure_python
  ensure_venv
  ensure_system_packages
}
