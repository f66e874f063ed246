#!/bin/sh
# The connector's schedule in Docker Compose: one `talend-logs sync` every SYNC_INTERVAL seconds.
# Each run picks up where the checkpoints say; a run that fails is simply retried by the next one,
# except a configuration error (exit 2), which no retry can fix. Arguments are passed to every sync.
set -u

interval="${SYNC_INTERVAL:-300}"
cli="$(dirname "$0")/../dist/src/cli/main.js"
child=""

# docker stop sends SIGTERM: hand it to the running sync (which commits what Elasticsearch has
# acknowledged, then exits 4) or cut the sleep short, then leave.
stop() {
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child"
  fi
  exit 0
}
trap stop TERM INT

while :; do
  node "$cli" sync "$@" &
  child=$!
  wait "$child"
  code=$?
  child=""
  if [ "$code" -eq 2 ]; then
    echo "sync-loop: configuration error (exit 2); fix the settings and restart" >&2
    exit 2
  fi
  echo "sync-loop: sync exited with $code; next run in ${interval}s" >&2
  sleep "$interval" &
  child=$!
  wait "$child"
  child=""
done
