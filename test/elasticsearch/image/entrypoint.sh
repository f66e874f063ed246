#!/bin/bash
# Elastic's image turns each environment variable named like a setting (lower case, with a dot) into `-E`;
# this does the same, so that testcontainers configures this image as it configures Elastic's.
set -euo pipefail
settings=()
while IFS='=' read -r -d '' key value; do
  if [[ "$key" =~ ^[a-z0-9_]+\.[a-z0-9_.]+$ && -n "$value" ]]; then
    settings+=("-E$key=$value")
  fi
done < <(env -0)
exec bin/elasticsearch "${settings[@]}" "$@"
