#!/bin/sh
# setup.sh - from a fresh Debian 12 machine (as root) to a working stap:
# installs the build and VM dependencies, builds, and installs stap into
# /usr/local (so that "stap" is on the PATH).
#
#   ./setup.sh            build and install
#   ./setup.sh --no-install   build only (use translator/stap from the tree)
set -eu
cd "$(dirname "$0")"

install=yes
[ "${1:-}" = "--no-install" ] && install=no

say() { printf 'setup: %s\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "setup: run me as root: I install packages with apt-get" >&2; exit 1; }

BUILD_DEPS="gcc make autoconf automake flex bison libdw-dev libelf-dev libc6-dev pkg-config libbpf-dev liblz4-dev libzstd-dev liblzma-dev"
# bpftrace is what doc/performance.md compares --runtime=bpf with
BUILD_DEPS="$BUILD_DEPS bpftrace"
# the tests build user programs as users do: C++ and clang too
BUILD_DEPS="$BUILD_DEPS g++ clang"
# and with <sys/sdt.h>'s markers (cli/sdt_markers, cli/sdt_listing)
BUILD_DEPS="$BUILD_DEPS systemtap-sdt-dev"
# make check fuzzes the translator with AFL++ (testsuite/fuzz)
BUILD_DEPS="$BUILD_DEPS afl++"
export DEBIAN_FRONTEND=noninteractive
missing=""
for p in $BUILD_DEPS; do
	dpkg-query -W -f='${Status}\n' "$p" 2> /dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing$missing"
	apt-get update -q > /dev/null || true
	apt-get install -y -q --no-install-recommends $missing > /dev/null
fi

# qemu, busybox, the cloud kernel's headers and its image for the VM
sh vm/install-kernel
# the kernel's DWARF (the -dbg package's vmlinux) for kernel.function probes and stap -L
sh vm/install-debuginfo
# the second kernel of make check's portability tier: Debian's 6.12 cloud
# kernel, with its DWARF (about 350 MB of downloads)
sh vm/install-kernel 6.12-cloud-amd64
sh vm/install-debuginfo 6.12-cloud-amd64

say "building"
[ -x configure ] || ./autogen.sh > /dev/null 2>&1
[ -f Makefile ] || ./configure -q
make -s -j2 > /dev/null
if [ $install = yes ]; then
	make -s install > /dev/null
	say "installed: $(command -v stap)"
fi
say 'done. Try: stap --vm -e '"'"'probe begin { printf("hello from %s\n", "stap") exit() }'"'"
