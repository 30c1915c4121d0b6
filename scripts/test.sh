#!/usr/bin/env bash
# shellcheck disable=SC2317  # the cleanup functions run from traps
# Run driftcheck's test suite against a real Docker engine, on a fresh machine.
#
#   bash scripts/test.sh [pytest args...]
#
# 1. installs the Debian packages the suite needs (docker.io, debootstrap, rsync,
#    python3-venv, strace, chromium, chromium-driver, docker-registry, openssl, skopeo,
#    postgresql, openssh-server, nodejs and npm) when missing: one `apt-get update`, only if
#    something is missing; the registry's, PostgreSQL's and OpenSSH's Debian services are never
#    left running (the tests start their own on a free loopback port); then gitlab-ci-local
#    (npm, pinned) into the test cache when missing;
# 2. creates or reuses the virtualenv .venv-test and installs `.[test]` into it;
# 3. starts a Docker engine (dockerd) when none answers, and stops exactly that
#    engine on exit; an engine that was already running is left alone;
# 4. runs pytest from the venv and exits with pytest's exit code.
#
# Environment:
#   CI=true             docker-marked tests fail (instead of skip) without an engine
#   DOCKER_HOST         engine to use; if it is a unix socket that nobody answers on
#                       and is not the default one, a private engine is started there
#                       (own data root under the cache dir, own bridge dc-test0, no
#                       iptables/NAT): a way to try the start/stop path beside a
#                       running engine
#   DRIFTCHECK_TEST_VENV  venv location (default: .venv-test in the repo)
#   DRIFTCHECK_TEST_CACHE test cache (default: ~/.cache/driftcheck-tests), where
#                       gitlab-ci-local is installed; its path is passed to pytest in
#                       DRIFTCHECK_GITLAB_CI_LOCAL
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

VENV="${DRIFTCHECK_TEST_VENV:-$REPO/.venv-test}"
DEFAULT_SOCK=/var/run/docker.sock
DOCKERD_PID=""
DOCKERD_LOG=""
DOCKERD_ROOT=""
POLICY_RC_CREATED=0
PYTEST_PID=""
PRIVATE_BRIDGE=dc-test0
BRIDGE_CREATED=0

log() { printf '[test.sh] %s\n' "$*" >&2; }
warn() { printf '[test.sh] WARNING: %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
find_cmd() {
    command -v "$1" 2>/dev/null && return 0
    for dir in /usr/sbin /sbin /usr/local/sbin; do
        [ -x "$dir/$1" ] && { echo "$dir/$1"; return 0; }
    done
    return 1
}

# ----------------------------------------------------------------- stop our engine
stop_engine() {
    [ -n "$DOCKERD_PID" ] || return 0
    local pid="$DOCKERD_PID"
    DOCKERD_PID=""
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping the Docker engine this script started (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        local i
        for i in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            warn "dockerd (pid $pid) did not stop within 30 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    fi
}

remove_private_bridge() {
    if [ "$BRIDGE_CREATED" = 1 ]; then
        ip link del "$PRIVATE_BRIDGE" 2>/dev/null || true
        BRIDGE_CREATED=0
    fi
}

remove_policy_rc() {
    if [ "$POLICY_RC_CREATED" = 1 ]; then
        rm -f /usr/sbin/policy-rc.d
        POLICY_RC_CREATED=0
    fi
}

# docker-registry's package ships a service (port 5000, /var/lib/docker-registry); where a
# policy-rc.d already existed, or systemd ignores it, it may have started: stop it.
stop_registry_service() {
    case " ${missing[*]} " in *" docker-registry "*) ;; *) return 0 ;; esac
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
    elif command -v service >/dev/null 2>&1; then
        service docker-registry stop >/dev/null 2>&1 || true
    fi
}

# The same for postgresql: tests/store starts its own server (initdb + pg_ctl) as a non-root
# user on a free loopback port, once per session.
stop_postgresql_service() {
    case " ${missing[*]} " in *" postgresql "*) ;; *) return 0 ;; esac
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now postgresql.service >/dev/null 2>&1 || true
    elif command -v service >/dev/null 2>&1; then
        service postgresql stop >/dev/null 2>&1 || true
    fi
}

# openssh-server ships a service on port 22; the tests start their own sshd on a free
# loopback port with throwaway keys: where the package's service started anyway, stop it.
stop_ssh_service() {
    case " ${missing[*]} " in *" openssh-server "*) ;; *) return 0 ;; esac
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
    elif command -v service >/dev/null 2>&1; then
        service ssh stop >/dev/null 2>&1 || true
    fi
}

on_exit() {
    local rc=$?
    trap - EXIT INT TERM HUP
    remove_policy_rc
    stop_engine
    remove_private_bridge
    if [ -n "$DOCKERD_LOG" ]; then
        if [ "$rc" -eq 0 ]; then rm -f "$DOCKERD_LOG"; else log "dockerd log kept: $DOCKERD_LOG"; fi
    fi
    exit "$rc"
}
# A signal before pytest runs ends the script (and the EXIT trap stops the engine).
# While pytest runs: Ctrl-C reaches pytest itself (same process group), so the script
# just keeps waiting for it; TERM/HUP are passed on to pytest, then the script exits.
on_signal() {
    local sig=$1 code=$2
    if [ -z "$PYTEST_PID" ]; then exit "$code"; fi
    [ "$sig" = INT ] || kill -"$sig" "$PYTEST_PID" 2>/dev/null || true
}
trap on_exit EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# ----------------------------------------------------------------- Debian packages
missing=()
have dockerd || missing+=(docker.io)
have docker || missing+=(docker.io)
have debootstrap || missing+=(debootstrap)
have rsync || missing+=(rsync)
have strace || missing+=(strace)  # tests/hostile: kills at a system call, traces writes
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
# The HTML report is tested in a real headless browser (tests/report/test_html_browser.py).
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
have docker-registry || missing+=(docker-registry)
have openssl || missing+=(openssl) # signs the registry tests' tokens
have gcc || missing+=(gcc) # builds the native-library pairs of tests/scenarios
[ -x /usr/sbin/sshd ] || missing+=(openssh-server) # tests/targets/test_ssh.py: a real sshd on loopback
have skopeo || missing+=(skopeo) # copies a test image the way CI pipelines do (tests/static)
# the history store is tested against a real PostgreSQL server (tests/store/conftest.py)
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || missing+=(postgresql)
# gitlab-ci-local runs the example GitLab pipeline (tests/ci). Its re2 dependency compiles
# a native module when no prebuilt one can be downloaded: hence g++ and make.
GITLAB_CI_LOCAL_VERSION=4.60.0
TEST_CACHE="${DRIFTCHECK_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/driftcheck-tests}"
GITLAB_CI_LOCAL_DIR="$TEST_CACHE/gitlab-ci-local-$GITLAB_CI_LOCAL_VERSION"
GITLAB_CI_LOCAL="$GITLAB_CI_LOCAL_DIR/node_modules/.bin/gitlab-ci-local"
have node || missing+=(nodejs)
have npm || missing+=(npm)
if [ ! -x "$GITLAB_CI_LOCAL" ]; then
    have g++ || missing+=(g++)
    have make || missing+=(make)
fi
# de-duplicate
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk 'NF && !seen[$0]++')

if [ "${#missing[@]}" -gt 0 ]; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        log "installing missing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        # Keep the packages' maintainer scripts from starting services (dockerd):
        # this script owns the engine's lifetime.
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
            chmod 755 /usr/sbin/policy-rc.d
            POLICY_RC_CREATED=1
        fi
        if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } </dev/null; then
            warn "apt-get could not install ${missing[*]}; continuing: docker tests will skip, or fail under CI=true"
        fi
        remove_policy_rc
        stop_registry_service
        stop_postgresql_service
        stop_ssh_service
    else
        warn "missing Debian packages: ${missing[*]} (need root and apt-get to install them);"
        warn "continuing: docker tests will skip, or fail under CI=true"
    fi
fi

# ----------------------------------------------------------------- gitlab-ci-local
gitlab_ci_local_ok() {
    [ -x "$GITLAB_CI_LOCAL" ] &&
        [ "$("$GITLAB_CI_LOCAL" --version 2>/dev/null)" = "$GITLAB_CI_LOCAL_VERSION" ]
}
if ! gitlab_ci_local_ok && have npm; then
    log "installing gitlab-ci-local $GITLAB_CI_LOCAL_VERSION into $GITLAB_CI_LOCAL_DIR"
    mkdir -p "$TEST_CACHE"
    partial="$(mktemp -d "$TEST_CACHE/gitlab-ci-local.XXXXXX")"
    if npm install --prefix "$partial" --no-audit --no-fund --loglevel=error \
        "gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION" </dev/null >&2; then
        rm -rf "$GITLAB_CI_LOCAL_DIR"
        mv "$partial" "$GITLAB_CI_LOCAL_DIR"
    else
        rm -rf "$partial"
        warn "npm could not install gitlab-ci-local; the GitLab pipeline tests will skip, or fail under CI=true"
    fi
fi
if gitlab_ci_local_ok; then
    export DRIFTCHECK_GITLAB_CI_LOCAL="$GITLAB_CI_LOCAL"
fi

# ----------------------------------------------------------------- virtualenv
venv_healthy() {
    [ -x "$VENV/bin/python" ] &&
        "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.prefix != sys.base_prefix else 1)' \
            >/dev/null 2>&1 &&
        "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

if ! venv_healthy; then
    if [ -e "$VENV" ]; then
        log "virtualenv $VENV is broken; recreating it"
        rm -rf "$VENV"
    fi
    log "creating virtualenv $VENV"
    python3 -m venv "$VENV"
fi

# Reinstall only when the project metadata changed (an editable install picks up new modules).
stamp="$VENV/.driftcheck-test-stamp"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$VENV/bin/python" -c 'import sys; print(sys.version)' | head -1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] ||
    ! "$VENV/bin/python" -c 'import driftcheck, pytest, docker' >/dev/null 2>&1; then
    log "installing driftcheck and its test extras into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -e '.[test]'
    printf '%s' "$want" >"$stamp"
fi

# ----------------------------------------------------------------- Docker engine
engine_answers() {
    "$VENV/bin/python" - <<'EOF' >/dev/null 2>&1
import docker
client = docker.from_env(timeout=5)
client.ping()
EOF
}

start_engine() {
    local dockerd host sock args=()
    if ! dockerd="$(find_cmd dockerd)"; then
        warn "no dockerd on this machine: docker tests will skip, or fail under CI=true"
        return 0
    fi
    if ! is_root; then
        warn "not root: cannot start dockerd; docker tests will skip, or fail under CI=true"
        return 0
    fi
    host="${DOCKER_HOST:-unix://$DEFAULT_SOCK}"
    case "$host" in
        unix://*) sock="${host#unix://}" ;;
        *)
            warn "DOCKER_HOST=$host does not answer and is not a local socket: not starting an engine"
            return 0
            ;;
    esac
    if [ "$sock" = "$DEFAULT_SOCK" ] || [ "$sock" = /run/docker.sock ]; then
        args=()
    else
        # A private engine beside any other one: its own state, no shared bridge/iptables.
        DOCKERD_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/driftcheck-tests/dockerd"
        mkdir -p "$DOCKERD_ROOT/exec"
        # Not `--bridge none`: dockerd then deletes the host's docker0, breaking the other
        # engine. A bridge of its own instead (dockerd gives it a free subnet), no NAT.
        if ! ip link show "$PRIVATE_BRIDGE" >/dev/null 2>&1; then
            if ! ip link add "$PRIVATE_BRIDGE" type bridge; then
                warn "cannot create bridge $PRIVATE_BRIDGE for a private engine; not starting one"
                return 0
            fi
            BRIDGE_CREATED=1
        fi
        args=(-H "unix://$sock" --data-root "$DOCKERD_ROOT/data" --exec-root "$DOCKERD_ROOT/exec"
            --pidfile "$DOCKERD_ROOT/dockerd.pid" --bridge "$PRIVATE_BRIDGE" --iptables=false
            --ip-forward=false --ip-masq=false)
    fi
    DOCKERD_LOG="$(mktemp "${TMPDIR:-/tmp}/driftcheck-dockerd.XXXXXX.log")"
    log "no Docker engine answers at $host: starting $dockerd ${args[*]} (log: $DOCKERD_LOG)"
    # setsid: a terminal's Ctrl-C must not reach dockerd directly; the EXIT trap stops it
    # after pytest has finished (and cleaned up its containers).
    setsid "$dockerd" "${args[@]}" >"$DOCKERD_LOG" 2>&1 </dev/null &
    DOCKERD_PID=$!
    local i
    for i in $(seq 1 60); do
        if engine_answers; then
            log "Docker engine is up (pid $DOCKERD_PID, ${i}s)"
            return 0
        fi
        if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
            wait "$DOCKERD_PID" 2>/dev/null || true
            DOCKERD_PID=""
            warn "dockerd exited during start-up; last lines of $DOCKERD_LOG:"
            tail -n 20 "$DOCKERD_LOG" >&2 || true
            return 0
        fi
        sleep 1
    done
    warn "dockerd did not answer within 60 s; last lines of $DOCKERD_LOG:"
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    stop_engine
}

if engine_answers; then
    log "using the Docker engine that is already running (${DOCKER_HOST:-unix://$DEFAULT_SOCK})"
else
    start_engine
fi

# ----------------------------------------------------------------- tests
log "running: pytest $*"
# pytest runs in the background so that the traps above can act while it runs; it keeps
# this terminal's stdin (for --pdb) and, through env --default-signal, its Ctrl-C.
reset_int=(env --default-signal=INT)
env --default-signal=INT true 2>/dev/null || reset_int=()  # coreutils < 8.31
"${reset_int[@]}" "$VENV/bin/python" -m pytest "$@" <&0 &
PYTEST_PID=$!
while :; do
    if wait "$PYTEST_PID"; then rc=0; else rc=$?; fi
    # A trap interrupted `wait` while pytest is still running (or not yet reaped): wait again.
    kill -0 "$PYTEST_PID" 2>/dev/null || break
done
PYTEST_PID=""
exit "$rc"
