# shellcheck shell=bash
# Shared set-up for scripts/run and scripts/test (sourced, not run).
# Every step checks first and prints nothing when there is nothing to do, so
# running the scripts again is quick and quiet.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
PYTHON="${PYTHON:-python3}"

# Debian/Ubuntu libraries WeasyPrint (PDF export) loads at run time; see
# https://doc.courtbouillon.org/weasyprint/stable/first_steps.html
WEASYPRINT_DEBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)

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

ensure_system_packages() {
  command -v dpkg >/dev/null 2>&1 || return 0 # not Debian/Ubuntu: see README.md
  local missing=() pkg
  for pkg in "${WEASYPRINT_DEBS[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "warning: PDF export needs: sudo apt-get install ${missing[*]}" >&2
    return 0
  fi
  echo "Installing ${missing[*]} (for WeasyPrint) with apt-get"
  # Not fatal: only PDF export needs them, and the rest should still run.
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"; } >/dev/null; then
    echo "warning: could not install ${missing[*]}; PDF export will not work" >&2
  fi
}

ensure_everything() {
  ensure_python
  ensure_venv
  ensure_system_packages
}
