#!/bin/sh
# install-deps.sh: the Debian packages dishrack needs to build and to run
# its whole test suite. Run as root (or through sudo).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake pkg-config \
	libncurses-dev check \
	libhiredis-dev libzmq3-dev \
	clang libclang-rt-14-dev valgrind \
	tmux procps python3 \
	redis-server redis-tools \
	curl wrk apache2-utils \
	libxml2-utils librsvg2-bin asciinema \
	gettext locales groff-base >/dev/null
# The Korean catalogue's tests run LANG=ko_KR.UTF-8 too (doc/i18n.md).
if ! locale -a 2>/dev/null | grep -qi '^ko_KR\.utf-\?8$'; then
	sed -i 's/^# *\(ko_KR\.UTF-8 UTF-8\)/\1/' /etc/locale.gen
	grep -q '^ko_KR\.UTF-8 UTF-8' /etc/locale.gen ||
	    echo 'ko_KR.UTF-8 UTF-8' >>/etc/locale.gen
	locale-gen >/dev/null
fi
