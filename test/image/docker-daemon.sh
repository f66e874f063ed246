#!/usr/bin/env bash
# A Docker engine of our own, for CI and for machines without one: `start` runs dockerd with its data, state
# and socket under .local-es/docker/ (no bridge, no iptables: containers use the host network) and prints the
# DOCKER_HOST to use; `stop` ends that dockerd by its pid (SIGTERM, SIGKILL after 30 s) and leaves its data
# (the images) for the next start; `purge` stops it and deletes its data. Installs docker.io with apt-get when
# dockerd is missing and we are root; otherwise says what is needed.
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly DIR="$PWD/.local-es/docker"
readonly SOCKET="$DIR/docker.sock"
readonly PIDFILE="$DIR/dockerd.pid"
readonly START_TIMEOUT_S=60

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

ensure_installed() {
  command -v dockerd >/dev/null && command -v docker >/dev/null && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "docker-daemon: installing docker.io with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >&2
    return 0
  fi
  echo "docker-daemon: dockerd and docker are needed: install Docker (Debian: apt-get install docker.io, as root)" >&2
  exit 1
}

start() {
  ensure_installed
  mkdir -p "$DIR/data" "$DIR/exec"
  if ! running_pid >/dev/null; then
    dockerd --bridge=none --iptables=false --ip-masq=false \
      --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$PIDFILE" \
      -H "unix://$SOCKET" >"$DIR/dockerd.log" 2>&1 &
    local waited=0
    until DOCKER_HOST="unix://$SOCKET" docker version >/dev/null 2>&1; do
      if [ "$waited" -ge "$START_TIMEOUT_S" ]; then
        echo "docker-daemon: dockerd did not answer within ${START_TIMEOUT_S}s; the end of $DIR/dockerd.log:" >&2
        tail -n 20 "$DIR/dockerd.log" >&2
        exit 1
      fi
      sleep 1
      waited=$((waited + 1))
    done
  fi
  echo "unix://$SOCKET"
}

stop() {
  local pid
  pid="$(running_pid)" || return 0
  kill -TERM "$pid"
  for _ in $(seq 30); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  purge)
    stop
    # dockerd leaves the bind mount of its network namespace behind.
    awk -v dir="$DIR/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | xargs --no-run-if-empty -n 1 umount
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop|purge" >&2
    exit 2
    ;;
esac
