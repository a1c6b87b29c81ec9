#!/usr/bin/env bash
# A stand-in for denoland/deno:2.9.6 on a host that cannot pull from Docker Hub but reaches Debian's mirror and
# npm: Debian bookworm (debootstrap minbase), the Deno binary already installed from npm (deno@2.9.6), the same
# `deno` user (uid 1993) and DENO_DIR=/deno-dir as the official image, and the host's CA bundle (for a host that
# reaches the registries through a TLS proxy). Then:
#   DENO_IMAGE=localhost/deno-local:2.9.6 deno task bench:container   (README, "Operating": flags for podman)
# Needs root and `apt-get install podman debootstrap runc`. Takes ~15 min on 2 busy cores (mostly debootstrap).
set -euo pipefail
WORK="$(mktemp -d -t deno-base.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

[[ "$(deno --version | head -n 1 | awk '{print $2}')" == "2.9.6" ]] || { echo "needs deno 2.9.6 on PATH"; exit 1; }
debootstrap --variant=minbase --include=ca-certificates bookworm "$WORK/rootfs" http://deb.debian.org/debian
tar -C "$WORK/rootfs" -c . | podman import - localhost/debian-bookworm-minbase:12

mkdir "$WORK/ctx"
cp "$(readlink -f "$(command -v deno)")" "$WORK/ctx/deno"
cp /etc/ssl/certs/ca-certificates.crt "$WORK/ctx/host-ca.crt"
cat >"$WORK/ctx/Containerfile" <<'CONTAINERFILE'
FROM localhost/debian-bookworm-minbase:12
COPY deno /usr/bin/deno
COPY host-ca.crt /etc/ssl/certs/ca-certificates.crt
RUN groupadd --gid 1993 deno && useradd --uid 1993 --gid deno --create-home deno \
  && mkdir /deno-dir && chown deno:deno /deno-dir && chmod 755 /usr/bin/deno
ENV DENO_DIR=/deno-dir DENO_INSTALL_ROOT=/usr/local NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["deno", "--version"]
CONTAINERFILE
podman build --isolation chroot --format docker --network host -t localhost/deno-local:2.9.6 "$WORK/ctx"
echo "built localhost/deno-local:2.9.6"
