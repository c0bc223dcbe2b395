#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make install into a staging directory (DESTDIR) as an ordinary user: the
# binary, the three man pages and both completions at their documented paths,
# with their modes and nothing else; the installed binary runs; man finds
# and renders both pages without a warning; PREFIX moves them all; make
# uninstall removes them.  Run by make test-install, with ./iotrace built.
set -eu
cd "$(dirname "$0")/../.."
src=$(pwd)
make=${MAKE:-make}
failed=0

fail() {
	echo "install_test: FAIL: $*" >&2
	failed=1
}

stage=$(mktemp -d)
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() { rm -rf "$stage"; }
trap cleanup EXIT

# As root, make install runs as nobody: DESTDIR must need no privileges,
# and nothing may land outside it.  Every make writes below the build
# directory (build.mk's rule for $(OUT)/embedded.inc runs each time), so
# nobody gets a copy of .output, timestamps kept so that nothing is rebuilt,
# as OUT.
as='' out_var=''
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	cp -a .output "$stage/out"
	chown -R 65534:65534 "$stage"
	as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	out_var="OUT=$stage/out"
fi

# make VARIABLES... TARGET, quietly, as $as; the output goes to $stage/make.log
run_make() {
	# shellcheck disable=SC2086 # $as is a command and its options, $out_var empty or one word
	$as env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS "$make" --no-print-directory -C "$src" $out_var "$@" \
		>"$stage/make.log" 2>&1 || {
		fail "make $*: $(cat "$stage/make.log")"
		return 1
	}
}

# the files below $1, with their modes, one "mode path" a line, sorted
listing() {
	(cd "$1" && find . -type f -printf '%m %P\n' | sort)
}

expect_tree() { # root prefix
	want=$(printf '%s\n' "755 ${2#/}/bin/iotrace" \
		"644 ${2#/}/share/bash-completion/completions/iotrace" \
		"644 ${2#/}/share/man/man1/iotrace-report.1" \
		"644 ${2#/}/share/man/man1/iotrace-top.1" \
		"644 ${2#/}/share/man/man1/iotrace.1" \
		"644 ${2#/}/share/zsh/site-functions/_iotrace" | sort)
	got=$(listing "$1")
	[ "$got" = "$want" ] || fail "installed under $2:
$got
want:
$want"
}

expect_same() { # installed source
	cmp -s "$1" "$2" || fail "$1 differs from $2"
}

# man finds the page in the staged tree, and renders it with no warning
expect_page() { # mandir name
	path=$(MANPATH="$1" man -w "$2" 2>&1) || fail "man -w $2 in $1: $path"
	[ "$path" = "$1/man1/$2.1" ] || fail "man finds $2 at '$path', not $1/man1/$2.1"
	text=$(MANWIDTH=80 man --warnings=w -l "$1/man1/$2.1" 2>"$stage/warnings") ||
		fail "man -l $2.1 failed"
	[ ! -s "$stage/warnings" ] || fail "man -l $2.1 warns: $(cat "$stage/warnings")"
	echo "$text" | grep -q '^NAME' || fail "$2.1 renders without a NAME section"
	groff -man -ww -z "$1/man1/$2.1" 2>"$stage/warnings" || fail "groff $2.1 failed"
	[ ! -s "$stage/warnings" ] || fail "groff -ww $2.1 warns: $(cat "$stage/warnings")"
}

root=$stage/root
if run_make install DESTDIR="$root"; then
	expect_tree "$root" /usr/local
	expect_same "$root/usr/local/bin/iotrace" iotrace
	expect_same "$root/usr/local/share/man/man1/iotrace.1" docs/man/iotrace.1
	expect_same "$root/usr/local/share/man/man1/iotrace-report.1" docs/man/iotrace-report.1
	expect_same "$root/usr/local/share/man/man1/iotrace-top.1" docs/man/iotrace-top.1
	expect_same "$root/usr/local/share/bash-completion/completions/iotrace" completions/iotrace.bash
	expect_same "$root/usr/local/share/zsh/site-functions/_iotrace" completions/_iotrace
	version=$("$root/usr/local/bin/iotrace" --version) || fail "the installed iotrace --version failed"
	[ "$version" = "$(./iotrace --version)" ] || fail "installed: '$version'"
	expect_page "$root/usr/local/share/man" iotrace
	expect_page "$root/usr/local/share/man" iotrace-report
	expect_page "$root/usr/local/share/man" iotrace-top
	run_make uninstall DESTDIR="$root" &&
		{ [ -z "$(listing "$root")" ] || fail "left after make uninstall: $(listing "$root")"; }
fi

if run_make install DESTDIR="$root" PREFIX=/opt/iotrace; then
	expect_tree "$root" /opt/iotrace
fi

[ $failed = 0 ] && echo "install_test: make install and uninstall with DESTDIR${as:+ (as nobody)}: ok"
exit $failed
