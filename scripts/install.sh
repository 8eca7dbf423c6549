#!/bin/sh
# Installs flashlight's prebuilt executable for this machine (Linux or macOS), checked against the
# release's SHA256SUMS before it is installed.
#
#   curl -fsSL https://raw.githubusercontent.com/flashlight/flashlight/main/scripts/install.sh | sh
#   sh install.sh [--version 1.2.3]
#
# Environment:
#   FLASHLIGHT_VERSION   the version to install (default: the latest release; --version wins)
#   FLASHLIGHT_INSTALL   the directory to install to (default: ~/.local/bin)
#   FLASHLIGHT_REPO      the GitHub repository, OWNER/NAME (default: flashlight/flashlight)
#   FLASHLIGHT_BASE_URL  where releases are (default: https://github.com/$FLASHLIGHT_REPO/releases);
#                        files are read from BASE/download/vVERSION/ or BASE/latest/download/
#   FLASHLIGHT_UNAME_S, FLASHLIGHT_UNAME_M  used instead of `uname -s` / `uname -m` (for tests)
# Needs curl or wget, and sha256sum, shasum or openssl.
# Exit codes: 0 installed; 1 not installed (download, checksum or install directory); 2 bad
# arguments or a platform without a prebuilt executable.
set -eu

say() { printf 'flashlight install: %s\n' "$*"; }
fail() {
	code=$1
	shift
	printf 'flashlight install: error: %s\n' "$*" >&2
	exit "$code"
}
usage() {
	cat <<'EOF'
Usage: install.sh [--version 1.2.3]
Installs flashlight for this machine (Linux, macOS), checked against the release's SHA256SUMS.
Environment: FLASHLIGHT_VERSION, FLASHLIGHT_INSTALL (default ~/.local/bin), FLASHLIGHT_REPO,
FLASHLIGHT_BASE_URL, FLASHLIGHT_UNAME_S and FLASHLIGHT_UNAME_M (see the top of this script).
EOF
}

version=${FLASHLIGHT_VERSION:-}
while [ $# -gt 0 ]; do
	case $1 in
	--version)
		[ $# -ge 2 ] || fail 2 "--version needs a value, e.g. --version 1.2.3"
		version=$2
		shift 2
		;;
	--version=*)
		version=${1#--version=}
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) fail 2 "unknown argument \"$1\" (usage: install.sh [--version 1.2.3])" ;;
	esac
done
version=${version#v}
case $version in
*[!0-9A-Za-z.+-]*) fail 2 "--version must look like 1.2.3, got \"$version\"" ;;
esac

# The release target for this machine.
os=${FLASHLIGHT_UNAME_S:-$(uname -s)}
arch=${FLASHLIGHT_UNAME_M:-$(uname -m)}
if [ "$os/$arch" = Darwin/x86_64 ] && [ -z "${FLASHLIGHT_UNAME_M:-}" ] &&
	[ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
	arch=arm64 # a shell under Rosetta on Apple silicon: install the native build
fi
case $os/$arch in
Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-gnu ;;
Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-gnu ;;
Darwin/x86_64) target=x86_64-apple-darwin ;;
Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
MINGW* | MSYS* | CYGWIN* | Windows_NT*)
	fail 2 "this script installs on Linux and macOS; on Windows follow docs/release.md (Installing by hand: the PowerShell lines)"
	;;
*)
	fail 2 "no prebuilt flashlight for $os $arch (there are: Linux x86_64 and arm64, macOS Intel and Apple silicon, Windows x86_64); with Deno installed: deno task start"
	;;
esac
asset=flashlight-$target

# Where to download from.
base=${FLASHLIGHT_BASE_URL:-https://github.com/${FLASHLIGHT_REPO:-flashlight/flashlight}/releases}
base=${base%/}
if [ -n "$version" ]; then
	from=$base/download/v$version
	release="release v$version"
	missing="no release v$version"
else
	from=$base/latest/download
	release="the latest release"
	missing="no latest release"
fi

if command -v curl >/dev/null 2>&1; then
	fetch() { curl -fsSL -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
	fetch() { wget -q -O "$2" "$1"; }
else
	fail 1 "needs curl or wget to download; install one of them and run again"
fi
if command -v sha256sum >/dev/null 2>&1; then
	sha256() { sha256sum "$1" | awk '{ print $1 }'; }
elif command -v shasum >/dev/null 2>&1; then
	sha256() { shasum -a 256 "$1" | awk '{ print $1 }'; }
elif command -v openssl >/dev/null 2>&1; then
	sha256() { openssl dgst -sha256 -r "$1" | awk '{ print $1 }'; }
else
	fail 1 "needs sha256sum, shasum or openssl to check the download; install one of them and run again"
fi

dir=${FLASHLIGHT_INSTALL:-${HOME:?HOME is not set; set FLASHLIGHT_INSTALL}/.local/bin}
tmp=$(mktemp -d)
staged=
trap 'rm -rf "$tmp"; [ -z "$staged" ] || rm -f "$staged"' EXIT
trap 'exit 1' HUP INT TERM

# The checksums first: they tell whether the release exists and has a build for this machine.
fetch "$from/SHA256SUMS" "$tmp/SHA256SUMS" ||
	fail 1 "$missing at $base (could not download $from/SHA256SUMS)"
expected=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || fail 1 "$release has no $asset (it is not in its SHA256SUMS)"
case $expected in
*[!0-9a-f]*) fail 1 "the SHA256SUMS entry for $asset is not a SHA-256 checksum" ;;
esac
[ ${#expected} -eq 64 ] || fail 1 "the SHA256SUMS entry for $asset is not a SHA-256 checksum"

say "downloading $asset from $release"
fetch "$from/$asset" "$tmp/$asset" || fail 1 "could not download $from/$asset"
actual=$(sha256 "$tmp/$asset")
if [ "$actual" != "$expected" ]; then
	rm -f "$tmp/$asset"
	fail 1 "checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual; deleted the download, nothing was installed"
fi
say "checksum ok ($actual)"

# Stage next to the target (proves the directory is writable), run it, then move it into place.
mkdir -p "$dir" 2>/dev/null ||
	fail 1 "cannot create $dir; set FLASHLIGHT_INSTALL to a directory you can write to"
staged=$dir/.flashlight-install.$$
cp "$tmp/$asset" "$staged" 2>/dev/null ||
	fail 1 "cannot write to $dir; set FLASHLIGHT_INSTALL to a directory you can write to"
chmod 755 "$staged"
printed=$("$staged" --version 2>/dev/null) || printed=
case $printed in
"flashlight "*) ;;
*) fail 1 "$asset does not run on this machine (its --version did not print \"flashlight …\"); nothing was installed" ;;
esac
mv -f "$staged" "$dir/flashlight"
staged=
say "installed $(printf '%s' "$printed" | head -n 1 | tr -cd '[:alnum:] ._+()-') to $dir/flashlight"

case ":$PATH:" in
*":$dir:"*) ;;
*) say "$dir is not on your PATH; add it, e.g. in ~/.profile: export PATH=\"$dir:\$PATH\"" ;;
esac
