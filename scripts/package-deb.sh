#!/usr/bin/env bash
# Builds falconer_<version>_all.deb with dpkg-deb (no debhelper): the compiled agent and
# its production dependencies under /usr/lib/falconer, /usr/bin/falconer, the systemd unit,
# /etc/calico/calico.env as a 0600 conffile, bash completion, docs and changelog.
# The only network use is `npm ci` for the production dependencies (npm's cache first).
# Usage: scripts/package-deb.sh [--no-build] [OUTDIR]   (default OUTDIR: the repository root)
#   --no-build packages the dist/ that is there (tests build it once for every test file).
set -euo pipefail
build=1
if [ "${1:-}" = --no-build ]; then build=0; shift; fi
out=$(realpath -m "${1:-$(dirname "$0")/..}")
cd "$(dirname "$0")/.."
version=$(node -p 'require("./package.json").version')
deb="$out/falconer_${version}_all.deb"
umask 022

[ "$build" = 0 ] || npm run -s build
# The commit this dist/ is packaged from, for `falconer version` (also with --no-build).
node scripts/build-info.mjs

stage=$(mktemp -d "${TMPDIR:-/tmp}/falconer-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
lib="$stage/usr/lib/falconer"
doc="$stage/usr/share/doc/falconer"
install -d "$lib" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/calico" "$doc" \
  "$stage/usr/share/bash-completion/completions" "$stage/DEBIAN"

# The code: compiled JS without source maps (they point at src/, which is not shipped).
cp -r dist bin templates package.json package-lock.json "$lib/"
find "$lib/dist" -name '*.map' -delete
(cd "$lib" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
rm -f "$lib/package-lock.json" "$lib/node_modules/.package-lock.json"
# What npm packages carry for their own development and web docs: lint and ignore files,
# VCS files, HTML docs that load scripts from CDNs. Licences and code stay.
find "$lib/node_modules" -mindepth 2 -name '.*' -prune -exec rm -rf {} +
find "$lib/node_modules" -type f -name '*.html' -delete
ln -s ../lib/falconer/bin/falconer "$stage/usr/bin/falconer"

install -m 0644 systemd/falconer.service "$stage/lib/systemd/system/falconer.service"
install -m 0600 systemd/calico.env.example "$stage/etc/calico/calico.env"
node bin/falconer completion bash > "$stage/usr/share/bash-completion/completions/falconer"
chmod 0644 "$stage/usr/share/bash-completion/completions/falconer"

install -m 0644 README.md "$doc/README.md"
install -m 0644 systemd/README.md "$doc/README.systemd.md"
install -m 0644 packaging/debian/copyright "$doc/copyright"
install -D -m 0644 contrib/prometheus/falconer-rules.yml "$doc/examples/prometheus/falconer-rules.yml"
gzip -9n < packaging/debian/changelog > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# Files 0644 and directories 0755 whatever the checkout's modes were; executables stay so.
find "$stage" -type d -exec chmod 0755 {} +
# Executable = meant to be (mode or bin/) and a script with a shebang: some packages ship
# plain modules with +x.
execs=$(find "$lib" -type f \( -perm /111 -o -path '*/bin/*' \))
find "$lib" -type f -exec chmod 0644 {} +
for f in $execs; do
  if [ "$(head -c 2 "$f")" = '#!' ]; then chmod 0755 "$f"; fi
done
chmod 0600 "$stage/etc/calico/calico.env"

install -m 0644 packaging/debian/conffiles "$stage/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "packaging/debian/$script" "$stage/DEBIAN/$script"
done
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" packaging/debian/control.in > "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f ! -path ./etc/\* -printf '%P\0' \
  | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
