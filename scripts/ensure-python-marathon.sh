#!/usr/bin/env bash
# Makes Debian's python3-marathon (the `marathon` client 0.13) importable by /usr/bin/python3, the
# real Marathon client the e2e tier drives Pacer with. Idempotent: does nothing when the import
# already works; otherwise installs the package with apt (through sudo when not root).
#
# /usr/bin/python3 on purpose: a pyenv or venv python earlier on PATH does not see Debian's
# dist-packages.
set -euo pipefail

PYTHON=${PACER_E2E_PYTHON:-/usr/bin/python3}

log() { printf '[python-marathon] %s\n' "$*" >&2; }
die() { printf '[python-marathon] error: %s\n' "$*" >&2; exit 1; }

importable() { "$PYTHON" -c 'import marathon' >/dev/null 2>&1; }

importable && exit 0

command -v apt-get >/dev/null || die "apt-get not found; install python3-marathon (pip: marathon==0.13.0) for $PYTHON by hand"
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "not root and sudo not found; run: apt-get install python3-marathon"
  sudo="sudo -n"
fi

log "installing python3-marathon"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-marathon >&2

importable || die "python3-marathon installed but '$PYTHON -c \"import marathon\"' still fails"
log "ready"
