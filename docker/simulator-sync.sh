#!/bin/sh
# The `simulator` profile of docker-compose.yml: the Talend API simulator and the sync loop in one
# container. The simulator listens on 127.0.0.1 and signs presigned URLs for its own object store
# there, so the connector must share its network namespace: running both here keeps those URLs valid
# without making the simulator listen on other interfaces.
set -u

port="${SIMULATOR_PORT:-8080}"
cli="$(dirname "$0")/../dist/src/cli/main.js"

node "$cli" simulate --port "$port" &
simulator=$!

# The demo tenant's token, printed by `talend-logs simulate`.
export TALEND_API_URL="http://127.0.0.1:${port}"
export TALEND_TOKEN="demo-personal-access-token"

tries=0
until node -e "fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))" "$TALEND_API_URL"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    echo "simulator-sync: the simulator did not start" >&2
    exit 1
  fi
  sleep 1
done

"$(dirname "$0")/sync-loop.sh" "$@" &
loop=$!

stop_simulator() {
  kill -TERM "$simulator" 2>/dev/null
  wait "$simulator"
}

# Stop the loop first, so that a sync in flight finishes against a live simulator.
stop() {
  kill -TERM "$loop" 2>/dev/null
  wait "$loop"
  stop_simulator
  exit 0
}
trap stop TERM INT
wait "$loop"
code=$?
stop_simulator
exit "$code"
