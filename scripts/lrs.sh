#!/usr/bin/env bash
# A real xAPI Learning Record Store for the tests: Ralph (ralph-malph, France Université
# Numérique) on its filesystem backend, on 127.0.0.1 only. See docs/lrs-notes.tmp.md.
#
#   scripts/lrs.sh install                   venv with the pinned Ralph (fast when already done)
#   scripts/lrs.sh start DIR PORT USER PASS  runs the LRS in the foreground (exec); statements
#                                            are kept in DIR/data/fs_lrs.jsonl across restarts
#
# The venv is ${CROSSWAY_LRS_VENV:-$HOME/.cache/crossway-lrs/venv}. Ready when
# GET http://127.0.0.1:PORT/__heartbeat__ answers 200.
set -euo pipefail

VENV="${CROSSWAY_LRS_VENV:-$HOME/.cache/crossway-lrs/venv}"

# Every package pinned: the set that was tested (pip resolved it for ralph-malph 5.1.0 on
# Python 3.11). `requests` is imported by ralph.api but not declared by ralph-malph.
PINS=(
  'ralph-malph[lrs,cli]==5.1.0' requests==2.34.2
  annotated-types==0.8.0 anyio==4.16.0 bcrypt==4.2.0 cachetools==5.5.0 certifi==2026.10.19.post1
  charset-normalizer==3.5.3 click==8.2.0 click-option-group==0.5.10 dnspython==2.9.2
  ecdsa==0.19.2 email-validator==2.4.0 fastapi==0.114.2 h11==0.16.0 httpcore==1.0.9
  httptools==0.9.0 httpx==0.28.1 idna==3.20 importlib-metadata==8.5.0 langcodes==3.5.1
  pyasn1==0.6.5 pydantic==2.14.4 pydantic-core==2.50.5 pydantic-settings==2.16.3
  python-dotenv==1.2.4 python-jose==3.3.0 PyYAML==6.0.4 rfc3987==1.3.8 rsa==4.9.1
  sentry-sdk==2.14.0 six==1.17.0 starlette==0.38.6 typing-inspection==0.4.5
  typing-extensions==4.16.0 urllib3==2.8.0 uvicorn==0.30.6 uvloop==0.23.0 watchfiles==1.3.0
  websockets==17.4 zipp==4.1.2
)

install() {
  local stamp="$VENV/.crossway-pins"
  # Already installed with exactly these pins: nothing to do.
  if [ -x "$VENV/bin/uvicorn" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${PINS[*]}" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$VENV")"
  # Debian's own python3 needs python3-venv for `-m venv` (ensurepip); install it when missing.
  if ! python3 -m venv --clear "$VENV" >/dev/null 2>&1; then
    echo "==> Installing python3-venv" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    python3 -m venv --clear "$VENV"
  fi
  echo "==> Installing Ralph LRS into $VENV" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}"
  printf '%s' "${PINS[*]}" >"$stamp"
}

start() {
  [ $# -eq 4 ] || { echo "usage: $0 start DIR PORT USER PASS" >&2; exit 2; }
  local dir port="$2" user="$3" pass="$4"
  [ -x "$VENV/bin/uvicorn" ] || { echo "LRS not installed: run $0 install" >&2; exit 1; }
  mkdir -p "$1/data"
  dir="$(cd "$1" && pwd)"
  # Ralph is configured by environment only (pydantic-settings, prefix RALPH_, '__' nests).
  export RALPH_RUNSERVER_BACKEND=fs                              # the filesystem LRS backend
  export RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH="$dir/data"  # statements live here
  export RALPH_AUTH_FILE="$dir/auth.json"                        # Basic-auth users
  export RALPH_APP_DIR="$dir"                                    # else ~/.config/ralph
  cd "$dir"  # Ralph also reads settings from ./.env: run in DIR, which has none
  # A fresh auth file each start (`ralph auth` refuses a user that is already there). The
  # user's agent (it becomes each statement's `authority`) needs an mbox that email-validator
  # takes: a reserved domain such as .invalid or .test is refused.
  rm -f "$RALPH_AUTH_FILE"
  local out
  out="$("$VENV/bin/ralph" auth -u "$user" -p "$pass" -s statements/write -s statements/read \
    -M "mailto:$user@example.org" -w 2>&1)" || { printf '%s\n' "$out" >&2; exit 1; }
  # Ralph 5.1.0's filesystem backend opens its one file fs_lrs.jsonl with operation type
  # CREATE, so every write after the first fails (500 "Statements bulk indexation failed"),
  # and no setting changes that. Set it to APPEND before uvicorn starts, in the same process.
  # The backend's history (a JSON list rewritten whole on every read and write) is of no use
  # to an LRS and grows each request slower: turned off too. A last line torn by a kill -9
  # mid-write (never acknowledged to the sender) would make every later request a 500 ("xAPI
  # statements query failed"): it is cut off before serving.
  exec "$VENV/bin/python" -c '
import os, sys, uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
FSLRSBackend.append_to_history = lambda self, event: None
path = os.path.join(os.environ["RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH"], "fs_lrs.jsonl")
if os.path.exists(path):
    with open(path, "r+b") as f:
        data = f.read()
        if data and not data.endswith(b"\n"):
            f.truncate(data.rfind(b"\n") + 1)
sys.argv[0] = "uvicorn"
uvicorn.main()
' ralph.api:app --host 127.0.0.1 --port "$port" --no-access-log
}

case "${1:-}" in
  install) install ;;
  start) shift; start "$@" ;;
  *) echo "usage: $0 install | start DIR PORT USER PASS" >&2; exit 2 ;;
esac
