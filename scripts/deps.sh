#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install every build and test dependency with apt-get (Debian 12).
# Idempotent and quiet: when everything is installed it only asks dpkg and
# exits; apt-get update runs only when something is missing.
#
# usage: deps.sh PACKAGE...     (the Makefile passes the list)
set -eu

# One dpkg-query for all: unknown packages print nothing (and an error).
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
	awk '$2 == "installed" { print $1 }' || true)
missing=
for pkg in "$@"; do
	echo "$installed" | grep -qxF "$pkg" || missing="$missing $pkg"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$0" "$@"
	fi
	echo "deps: missing:$missing; run as root to install them" >&2
	exit 1
fi

# The 6.12 LTS kernel comes from bookworm-backports.
if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deps: adding the bookworm-backports suite to apt's sources"
	cat >/etc/apt/sources.list.d/bookworm-backports.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi

echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing >/dev/null
