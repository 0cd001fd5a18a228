#!/bin/sh
# autogen.sh - generate ./configure.  With --deps, first install what the
# build and the tests need with the system's package manager.
set -e

usage() {
	echo "usage: ./autogen.sh [--deps]" >&2
	echo "  --deps  install the build dependencies first (apt-get; sudo when not root)" >&2
}

# Debian/Ubuntu packages: the build, the tests (Check, tmux for the ui
# tests) and the optional benchmark peers.
DEB_PACKAGES="build-essential autoconf automake pkg-config libncurses-dev check tmux libck-dev libglib2.0-dev libuv1-dev"

install_deps() {
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "autogen.sh: --deps knows apt-get (Debian, Ubuntu) only;" >&2
		echo "install by hand: a C11 compiler, make, autoconf, automake, pkg-config, ncurses (wide) headers, Check, tmux" >&2
		exit 1
	fi
	if [ "$(id -u)" -eq 0 ]; then
		sudo=
	elif command -v sudo >/dev/null 2>&1; then
		sudo=sudo
	else
		echo "autogen.sh: --deps needs root or sudo to run apt-get" >&2
		exit 1
	fi
	$sudo apt-get update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y $DEB_PACKAGES
}

case "${1:-}" in
"") ;;
--deps) install_deps ;;
-h|--help) usage; exit 0 ;;
*) usage; exit 2 ;;
esac

cd "$(dirname "$0")"
autoreconf --install --force
