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
  ensure_engine_built
}

# The rules engine's core, compiled to C with mypyc from its own source (portal/rules/compiled.py,
# docs/rules-engine.md "Speed"): built again only when that source changed, quiet otherwise.
# The engine never runs a build older than its source; without one it runs as Python.
ensure_engine_built() {
  command -v gcc >/dev/null 2>&1 || apt_install "compiling the rules engine" gcc || true
  "$VENV/bin/python" "$REPO_ROOT/scripts/build-engine" ||
    echo "warning: the rules engine runs as Python, slower (scripts/build-engine failed)" >&2
}

# -- virus scanning (docs/documents.md) ------------------------------------------------------
# Every uploaded document is scanned by ClamAV's daemon, clamd, over its socket. Debian's
# clamav-daemon gives clamd; clamav-freshclam downloads and updates the official signatures
# (from database.clamav.net, which development and CI machines may not reach).
CLAMAV_DEBS=(clamav-daemon clamav-freshclam)
CLAMD_DIR="$REPO_ROOT/instance/clamav"

# clamd_answers SOCKET: whether a clamd answers PING there.
clamd_answers() {
  "$PYTHON" - "$1" <<'PY' 2>/dev/null
import socket, sys
with socket.socket(socket.AF_UNIX) as s:
    s.settimeout(3)
    s.connect(sys.argv[1])
    s.sendall(b"zPING\0")
    sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)
PY
}

wait_for_clamd() {
  local socket="$1" tries=0
  until clamd_answers "$socket"; do
    ((tries++ < 120)) || return 1
    sleep 0.5
  done
}

clamd_binary() {
  command -v clamd 2>/dev/null || { [[ -x /usr/sbin/clamd ]] && echo /usr/sbin/clamd; }
}

# Development, tests and CI (scripts/run, scripts/test, .ci/run): the project's own clamd,
# run as the current user, with its socket, log and database under instance/clamav/. Its
# database is the project's test signature (scripts/clamav/portal-test.ndb: the EICAR test
# file, and nothing else) plus the official databases if freshclam has put any in
# /var/lib/clamav. It keeps running after the script ends (starting clamd with the official
# databases takes a while); stop it with: kill "$(cat instance/clamav/clamd.pid)".
# CLAMD_HOST (clamd over TCP) or CLAMD_SOCKET (a clamd someone else runs): used as they are.
ensure_clamd() {
  apt_install "virus scanning of uploaded documents" "${CLAMAV_DEBS[@]}" || true
  [[ -z "${CLAMD_HOST:-}" ]] || return 0
  local socket="${CLAMD_SOCKET:-$CLAMD_DIR/clamd.sock}" clamd db
  clamd_answers "$socket" && return 0
  if [[ -n "${CLAMD_SOCKET:-}" ]]; then
    echo "warning: no clamd answers on CLAMD_SOCKET=$CLAMD_SOCKET: uploads will be refused until one does" >&2
    return 1
  fi
  clamd="$(clamd_binary)" || true
  if [[ -z "$clamd" ]]; then
    echo "warning: clamd is not installed (apt-get install clamav-daemon): document uploads will be refused" >&2
    return 1
  fi
  mkdir -p "$CLAMD_DIR/db"
  cp "$REPO_ROOT/scripts/clamav/portal-test.ndb" "$CLAMD_DIR/db/"
  for db in /var/lib/clamav/*.cvd /var/lib/clamav/*.cld; do
    [[ -f "$db" ]] && ln -sf "$db" "$CLAMD_DIR/db/"
  done
  cat >"$CLAMD_DIR/clamd.conf" <<CONF
# Written by scripts/_setup.sh (ensure_clamd) for development and tests; not for production.
LocalSocket $socket
LocalSocketMode 600
FixStaleSocket yes
DatabaseDirectory $CLAMD_DIR/db
PidFile $CLAMD_DIR/clamd.pid
LogFile $CLAMD_DIR/clamd.log
LogTime yes
Foreground no
StreamMaxLength 40M
ScanArchive yes
ScanPDF yes
ScanOLE2 yes
CONF
  echo "Starting clamd for document virus scans (socket $socket)"
  if ! "$clamd" -c "$CLAMD_DIR/clamd.conf" >/dev/null 2>&1 || ! wait_for_clamd "$socket"; then
    echo "warning: clamd did not start (see $CLAMD_DIR/clamd.log): document uploads will be refused" >&2
    return 1
  fi
}

# Production (scripts/serve): Debian's clamd with its own configuration (/etc/clamav/clamd.conf,
# socket /var/run/clamav/clamd.ctl, signatures in /var/lib/clamav kept up to date by the
# clamav-freshclam service). Started here if it is not running; never with the test signature.
ensure_system_clamd() {
  apt_install "virus scanning of uploaded documents" "${CLAMAV_DEBS[@]}" || true
  [[ -z "${CLAMD_HOST:-}" ]] || return 0
  export CLAMD_SOCKET="${CLAMD_SOCKET:-/var/run/clamav/clamd.ctl}"
  clamd_answers "$CLAMD_SOCKET" && return 0
  if ! compgen -G "/var/lib/clamav/*.c[lv]d" >/dev/null; then
    echo "warning: no ClamAV signatures in /var/lib/clamav (freshclam could not download them):" \
      "clamd cannot start, so document uploads will be refused. Run freshclam (or the" \
      "clamav-freshclam service) where database.clamav.net is reachable (docs/documents.md)" >&2
    return 1
  fi
  local clamd
  clamd="$(clamd_binary)" || true
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    systemctl start clamav-daemon clamav-freshclam || true
  elif [[ -n "$clamd" && "$(id -u)" -eq 0 ]]; then
    mkdir -p /var/run/clamav && chown clamav:clamav /var/run/clamav
    "$clamd" || true
  fi
  if ! wait_for_clamd "$CLAMD_SOCKET"; then
    echo "warning: clamd does not answer on $CLAMD_SOCKET: document uploads will be refused" >&2
    return 1
  fi
}
