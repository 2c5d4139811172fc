#!/usr/bin/env bash
# install-deps.sh - install driftguard's build, run and test dependencies
# (Debian bookworm packages). Does nothing when everything is present; needs
# root (or sudo) otherwise.
set -euo pipefail

pkgs=(build-essential autoconf automake libtool pkg-config
  collectd-core collectd-dev libcollectdclient-dev
  libhiredis-dev libcurl4-openssl-dev libssl-dev libjson-c-dev libyajl-dev
  libmicrohttpd-dev libsystemd-dev
  libprotobuf-c1 libmicrohttpd12
  redis-server redis-sentinel redis-tools stunnel4
  curl socat jq procps valgrind ca-certificates prometheus
  debhelper dpkg-dev fakeroot rpm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged services; driftguard's demo and tests run their
# own instances on private ports and never need these.
