#!/bin/sh
# Install what building and testing iotrace needs (Debian 12).  Idempotent:
# does nothing when every package is already installed.  Beside the build
# tools: Criterion (the tests), python3-jsonschema (validate-result), strace
# (the independent oracle), and sqlite3, git, rsync and fio, the real programs
# the e2e tests trace and compare with strace or with fio's own counts
# (tests/e2e/programs_test.c).
set -eu
pkgs="make gcc clang clang-format llvm binutils-bpf libelf-dev zlib1g-dev linux-libc-dev libcriterion-dev python3 python3-jsonschema file strace libclang-rt-14-dev sqlite3 git rsync fio"
missing=""
# tests only: make test-install renders the installed man pages with man -l
# and groff (man-db, which pulls in groff-base); tests/e2e/docs_test.c runs
# the bash completion inside bash-completion, which it relies on; tests/e2e/top_test.c
# drives iotrace top in a real terminal through tmux; tests/e2e/html_test.c
# renders report --html in headless Chromium (Debian's chromium);
# tests/e2e/report_test.c loads the CSV tables with pandas (python3-pandas,
# run by /usr/bin/python3).  (zsh is not installed: its completion test runs
# where zsh is, and skips elsewhere.)
pkgs="$pkgs man-db bash-completion tmux chromium python3-pandas"
# make test-syscalls checks the syscall table against arm64's UAPI headers
pkgs="$pkgs linux-libc-dev-arm64-cross"
# make ARCH=arm64 (built by make test, booted by make test-kernels): Debian's
# cross compiler and the arm64 libelf and zlib to link statically, from
# Debian's multiarch packages (dpkg --add-architecture arm64)
cross="gcc-aarch64-linux-gnu libelf-dev:arm64 zlib1g-dev:arm64"
pkgs="$pkgs $cross"
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
case " $(dpkg --print-foreign-architectures | tr '\n' ' ') " in
*" arm64 "*) ;;
*) [ "$(dpkg --print-architecture)" = arm64 ] || dpkg --add-architecture arm64 ;;
esac
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
