#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Downloads what booting a kernel spec needs, once, into the cache (KM_CACHE):
# the kernel's .deb (a meta-package followed to the real image, a split
# package layout followed to the package that holds vmlinuz) and busybox-static,
# through apt-get download, then extracts vmlinuz and busybox.  A suite or an
# architecture other than the host's gets a private apt state in the cache, on
# the host's mirror (and its security archive for the host's suite).
#   usage: fetch.sh SPEC              prints kernel=DIR and busybox=FILE
#          fetch.sh --resolve SPEC    prints "SUITE PACKAGE" (no network)
#          fetch.sh --mirror          prints the Debian mirror of the host's apt config
#          fetch.sh --sources SUITE   prints the sources.list of SUITE's private apt state
# Exits 0, 1 when something could not be had, 2 for an unknown spec.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/arch.sh"
arch_init || exit 2
cache=${KM_CACHE:-/var/cache/kernel-matrix}
host_suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
host_arch=$(dpkg --print-architecture)

log() { echo "fetch: $*" >&2; }

# The kernel specs: spec, Debian suite, package.  SUITE:PACKAGE names any other.
spec_table() {
	cat <<-EOF
	5.10	bullseye	linux-image-$ARCH_DEB
	6.1	bookworm	linux-image-$ARCH_DEB
	6.12	bookworm	linux-image-6.12-$ARCH_DEB
	sid	sid	linux-image-$ARCH_DEB
	EOF
}

resolve() {
	local spec=$1 line
	line=$(spec_table | awk -F'\t' -v s="$spec" '$1 == s { print $2, $3; exit }')
	if [ -z "$line" ] && [[ $spec =~ ^([a-z][a-z0-9-]*):(linux-image-[a-z0-9.+~-]+)$ ]]; then
		line="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
	fi
	[ -n "$line" ] || { log "unknown kernel spec '$spec'"; return 2; }
	echo "$line"
}

# The URI of the host's main Debian archive: the first "deb" source that
# serves the host's own suite, in one-line (.list) or deb822 (.sources) form,
# from the files apt itself reads (apt-config: APT_CONFIG is honoured).
mirror() {
	local uri
	if [ -n "${KM_MIRROR:-}" ]; then
		echo "${KM_MIRROR%/}"
		return 0
	fi
	uri=$(apt_sources_uri "$host_suite")
	[ -n "$uri" ] || { log "no source for suite '$host_suite' in the apt configuration"; return 1; }
	echo "${uri%/}"
}

# apt_sources_uri SUITE: the URI of the first enabled deb source for SUITE in
# the files apt reads; empty when there is none
apt_sources_uri() {
	local list= parts=
	eval "$(apt-config shell list Dir::Etc::sourcelist/f parts Dir::Etc::sourceparts/d)"
	sources_uri "$1" "$list" "${parts%/}"/*.list "${parts%/}"/*.sources
}

# sources_uri SUITE FILE...: the URI of the first enabled deb source for SUITE
sources_uri() {
	local suite=$1 f files=()
	shift
	for f; do [ -f "$f" ] && files+=("$f"); done
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v s="$suite" '
		function flush(   n, i, ss, u) {
			if (!done && types ~ /(^| )deb( |$)/ && tolower(enabled) != "no") {
				n = split(suites, ss, " ")
				for (i = 1; i <= n; i++)
					if (ss[i] == s) { split(uris, u, " "); print u[1]; done = 1 }
			}
			types = uris = suites = enabled = ""
		}
		function value() { sub(/^[^:]*:[ \t]*/, ""); return $0 }
		done { exit }
		FNR == 1 { flush(); deb822 = FILENAME ~ /\.sources$/ }
		/^[ \t]*#/ { next }
		deb822 && /^[ \t]*$/ { flush(); next }
		deb822 && /^Types:/ { types = value() }
		deb822 && /^URIs:/ { uris = value() }
		deb822 && /^Suites:/ { suites = value() }
		deb822 && /^Enabled:/ { enabled = value() }
		!deb822 && $1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
			if ($(i + 1) == s) { print $i; done = 1 }
		}
		END { flush() }' "${files[@]}"
}

# private_sources SUITE: the sources.list of SUITE's private apt state: the
# host's mirror and, for the host's own suite (another architecture's state),
# the security archive the host's configuration has for it, so that every
# architecture sees the kernels the host's does (bookworm's linux-image-6.12-*
# exist only in bookworm-security).  Other suites keep their point release.
private_sources() {
	local suite=$1 uri sec keyring=/usr/share/keyrings/debian-archive-keyring.gpg opt=
	uri=$(mirror) || return 1
	[ -f "$keyring" ] && opt=" signed-by=$keyring"
	echo "deb [arch=$ARCH_DEB$opt] $uri $suite main"
	[ "$suite" = "$host_suite" ] || return 0
	sec=$(apt_sources_uri "$suite-security")
	[ -z "$sec" ] || echo "deb [arch=$ARCH_DEB$opt] ${sec%/} $suite-security main"
}

# apt_for SUITE: sets apt_opts for apt-get and apt-cache on SUITE.  The host's
# own suite and architecture use the system's apt state; any other gets one of
# its own under the cache (lists refreshed when a day old or when their sources
# changed, apt's binary package cache kept: each apt-cache call would parse the
# lists again; the source cache, as large and unused here, not), so the
# system's sources are never touched.
apt_for() {
	local suite=$1 dir src
	apt_dir=
	apt_opts=()
	[ "$suite" = "$host_suite" ] && [ "$ARCH_DEB" = "$host_arch" ] && return 0
	dir=$cache/apt/$suite-$ARCH_DEB
	apt_dir=$dir
	apt_opts=(-o "Dir::State=$dir/state" -o "Dir::Cache=$dir/cache"
		-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=$dir/sources.list.d"
		-o "APT::Architecture=$ARCH_DEB" -o "APT::Architectures=$ARCH_DEB"
		-o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=)
	src=$(private_sources "$suite") || return 1
	[ -f "$dir/updated" ] && [ -z "$(find "$dir/updated" -mmin +1440)" ] &&
		[ "$src" = "$(cat "$dir/sources.list" 2>/dev/null)" ] && return 0
	mkdir -p "$dir/state/lists/partial" "$dir/cache/archives/partial" "$dir/sources.list.d" || return 1
	echo "$src" > "$dir/sources.list" && lists_update
}

# lists_update: refreshes the package lists apt_opts point at
lists_update() {
	log "updating the package lists${apt_dir:+ in $apt_dir}"
	apt-get "${apt_opts[@]}" -q update >&2 || { log "apt-get update failed"; return 1; }
	[ -z "$apt_dir" ] || touch "$apt_dir/updated"
}

# stanza PKG: the candidate version's record, refreshing the lists once if
# apt does not know PKG
stanza() {
	apt-cache "${apt_opts[@]}" show --no-all-versions "$1" 2>/dev/null && return 0
	lists_update || return 1
	apt-cache "${apt_opts[@]}" show --no-all-versions "$1" 2>/dev/null ||
		{ log "package $1 not found"; return 1; }
}

field() { awk -v f="$1" 'index($0, f ": ") == 1 { sub(/^[^:]*: /, ""); print; exit }'; }

# the package names a Depends field lists, alternatives included, one a line
depends() { tr ',|' '\n\n' | sed -E 's/\(.*\)//; s/:[a-z]+//; s/[[:space:]]//g' | grep -v '^$'; }

# deb PKG: downloads PKG's candidate into the cache unless there; prints its path
deb() {
	local pkg=$1 st ver name
	st=$(stanza "$pkg") || return 1
	ver=$(field Version <<<"$st")
	# apt-get download's name for it: the epoch's colon escaped
	name=${pkg}_${ver//:/%3a}_$(field Architecture <<<"$st").deb
	if [ ! -s "$cache/debs/$name" ]; then
		log "downloading $name"
		mkdir -p "$cache/debs" || return 1
		# lists older than the mirror name files it no longer has: refresh, then try again
		get "$pkg=$ver" || { lists_update && get "$pkg=$(stanza "$pkg" | field Version)"; } ||
			{ log "$pkg: download failed"; return 1; }
		[ -s "$cache/debs/$name" ] || { log "$pkg: apt-get download did not leave $name"; return 1; }
	fi
	echo "$cache/debs/$name"
}

# get PKG=VER: apt-get download into the cache (as root: the cache is root's,
# apt's unprivileged download user may not write there)
get() {
	(cd "$cache/debs" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root -q download "$1") >&2
}

# unpack DEB PATTERN DIR: extracts the members matching PATTERN (a tar
# wildcard) into DIR; fails when there is none
unpack() {
	local deb=$1 pattern=$2 dir=$3 rc
	dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$dir" --wildcards "$pattern" 2>/dev/null
	rc=("${PIPESTATUS[@]}")
	# a broken download must not stay in the cache
	[ "${rc[0]}" = 0 ] || { log "$deb: dpkg-deb failed, removed"; rm -f "$deb"; return 1; }
	[ "${rc[1]}" = 0 ]
}

# image PKG: follows meta-packages, each depending on the next package of the
# chain, to the image package; prints its record
image() {
	local pkg=$1 st dep
	for _ in 1 2 3 4; do
		st=$(stanza "$pkg") || return 1
		dep=$(field Depends <<<"$st" | depends | grep -m1 '^linux-image-')
		[ -n "$dep" ] || { echo "$st"; return 0; }
		pkg=$dep
	done
	log "$1: no image package within 4 meta-packages"
	return 1
}

# unpack_vmlinuz DIR RECORD: extracts the vmlinuz of the image package whose
# record is given into DIR/vmlinuz, its release into DIR/release.  The
# classic layout has /boot/vmlinuz-REL in the image package; the split one
# /usr/lib/modules/REL/vmlinuz in one of the packages it depends on, which are
# tried smallest first (the modules package is the big one).
unpack_vmlinuz() {
	local dir=$1 st=$2 pkg rel d img
	pkg=$(field Package <<<"$st")
	rel=${pkg#linux-image-}
	for d in "$pkg" $(field Depends <<<"$st" | depends | grep -xF -e "linux-base-$rel" \
		-e "linux-binary-$rel" -e "linux-modules-$rel" | while read -r p; do
		echo "$(stanza "$p" | field Size) $p"; done | sort -n | awk '{ print $2 }'); do
		img=$(deb "$d") || return 1
		unpack "$img" '*vmlinuz*' "$dir" && break
		find "$dir" -mindepth 1 -delete
	done
	img=$(find "$dir" -type f -name 'vmlinuz*')
	if [ -z "$img" ] || [ "$(wc -l <<<"$img")" != 1 ]; then
		log "no single vmlinuz in $pkg or the packages it depends on"
		return 1
	fi
	case $img in
	*/boot/vmlinuz-*) basename "$img" | sed 's/^vmlinuz-//' > "$dir/release" ;;
	*) basename "$(dirname "$img")" > "$dir/release" ;;
	esac
	mv "$img" "$dir/vmlinuz" && find "$dir" -mindepth 1 -type d -prune -exec rm -rf {} +
}

# kernel SPEC: prints the cache directory holding the spec's vmlinuz, release
# and pkg (image package and version)
kernel() {
	local spec=$1 suite pkg st ver dir tmp
	read -r suite pkg <<<"$(resolve "$spec")"
	[ -n "$suite" ] || return 2
	apt_for "$suite" && st=$(image "$pkg") || return 1
	pkg=$(field Package <<<"$st") ver=$(field Version <<<"$st")
	dir=$cache/kernels/${pkg}_$ver
	if [ -s "$dir/vmlinuz" ] && [ -s "$dir/release" ]; then
		echo "$dir"
		return 0
	fi
	log "$spec: $suite $pkg $ver"
	tmp=$(mktemp -d "$cache/kernels/.new.XXXXXX") || return 1
	if ! unpack_vmlinuz "$tmp" "$st" || ! echo "$pkg $ver" > "$tmp/pkg"; then
		rm -rf "$tmp"
		return 1
	fi
	chmod 755 "$tmp" && rm -rf "$dir" && mv "$tmp" "$dir" || return 1
	echo "$dir"
}

# busybox: prints the path of a static busybox for the guest's architecture,
# from the host suite's busybox-static
busybox() {
	local st ver dir tmp b
	apt_for "$host_suite" || return 1
	st=$(stanza busybox-static) || return 1
	ver=$(field Version <<<"$st")
	dir=$cache/busybox/${ver//:/_}_$ARCH_DEB
	[ -x "$dir/busybox" ] && { echo "$dir/busybox"; return 0; }
	b=$(deb busybox-static) || return 1
	mkdir -p "$cache/busybox" && tmp=$(mktemp -d "$cache/busybox/.new.XXXXXX") || return 1
	unpack "$b" '*bin/busybox' "$tmp" || { log "no busybox in $b"; rm -rf "$tmp"; return 1; }
	mkdir -p "$dir" && mv "$(find "$tmp" -type f -name busybox | head -n1)" "$dir/busybox" || return 1
	rm -rf "$tmp"
	echo "$dir/busybox"
}

case ${1:-} in
--resolve)
	resolve "${2:?usage: fetch.sh --resolve SPEC}"
	exit
	;;
--mirror)
	mirror
	exit
	;;
--sources)
	private_sources "${2:?usage: fetch.sh --sources SUITE}"
	exit
	;;
'' | -*)
	echo 'usage: fetch.sh SPEC | --resolve SPEC | --mirror | --sources SUITE' >&2
	exit 2
	;;
esac
resolve "$1" > /dev/null || exit 2
mkdir -p "$cache/kernels" || exit 1
exec 9>> "$cache/.lock" && flock 9 || { log "cannot lock $cache/.lock"; exit 1; }
# with the lock held, a half-made directory is one an interrupted fetch left
rm -rf "$cache"/kernels/.new.* "$cache"/busybox/.new.*
k=$(kernel "$1") || exit
b=$(busybox) || exit 1
echo "kernel=$k"
echo "busybox=$b"
