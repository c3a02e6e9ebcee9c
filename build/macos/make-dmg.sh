#!/usr/bin/env bash
# Wrap the macOS bundle in a compressed disk image with a link to /Applications (drag to install).
#
#   build/macos/make-dmg.sh dist/AfterSaleWatch.app dist/AfterSaleWatch-macos-arm64.dmg
#
# Sign and notarise the .app first (sign-and-notarise.sh); the DMG is then signed too when
# MACOS_SIGN_IDENTITY is set, and should be notarised and stapled the same way before publishing.
set -euo pipefail
app=${1:?usage: make-dmg.sh APP DMG}
dmg=${2:?usage: make-dmg.sh APP DMG}
[[ -d $app ]] || { echo "no such app bundle: $app" >&2; exit 2; }
[[ $(uname) == Darwin ]] || { echo "a DMG is made on macOS (hdiutil)" >&2; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# ditto keeps the bundle's symlinks, extended attributes and signature intact
ditto "$app" "$stage/$(basename "$app")"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "售后守望 AfterSale Watch" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"
if [[ -n ${MACOS_SIGN_IDENTITY:-} ]]; then
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
fi
hdiutil verify "$dmg"
echo "disk image: $dmg ($(du -h "$dmg" | cut -f1))"
