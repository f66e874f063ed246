#!/usr/bin/env bash
# npm run image:test: builds the image from the Dockerfile and runs it against the Talend simulator and Elasticsearch
# (test/image/container-image.suite.ts). Needs a Docker engine: the `docker` CLI and an engine that answers at
# DOCKER_HOST (or the default socket). Without the CLI, installs docker.io when run as root on Debian or Ubuntu.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "image-test: installing docker.io with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io
  else
    echo "image-test: needs Docker: the docker CLI and a running engine (Debian: apt-get install docker.io, as root)" >&2
    exit 1
  fi
fi
if ! docker version >/dev/null 2>&1; then
  cat >&2 <<MESSAGE
image-test: no Docker engine answers at ${DOCKER_HOST:-the default socket}. Start one (systemctl start docker),
or, as root, one of our own: export DOCKER_HOST=\$(test/image/docker-daemon.sh start)
MESSAGE
  exit 1
fi
exec node --import tsx --test --test-reporter=spec test/image/container-image.suite.ts
