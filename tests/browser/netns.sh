#!/bin/sh
# Runs a command inside the private network namespace of the peer-to-peer tests: call it as
# `unshare -rn ./netns.sh COMMAND…`. Chromium gathers no WebRTC candidate when loopback is the
# only interface, so the namespace gets a veth pair (10.213.0.1 and .2) and a default route
# through it; that pair leads nowhere (the namespace has no link to any real network), and the
# server, the tracker and the browsers talk over 127.0.0.1.
set -eu
if ip -o link show | grep -qv ': lo:'; then
  echo "netns.sh: not in a fresh network namespace (run it under unshare -rn)" >&2
  exit 1
fi
ip link set lo up
ip link add kinora0 type veth peer name kinora1
ip addr add 10.213.0.1/24 dev kinora0
ip addr add 10.213.0.2/24 dev kinora1
ip link set kinora0 up
ip link set kinora1 up
ip route add default dev kinora0
exec "$@"
