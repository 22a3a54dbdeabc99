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
	libxml2-utils librsvg2-bin asciinema >/dev/null
