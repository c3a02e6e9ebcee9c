#!/usr/bin/env bash
# Sign the .app with the hardened runtime, notarise it and staple the ticket.
#
#   build/macos/sign-and-notarise.sh dist/AfterSaleWatch.app
#
# Reads, from the environment (the CI secret store, never the repository):
#   MACOS_CERT_P12 (base64 of the "Developer ID Application" certificate), MACOS_CERT_PASSWORD,
#   MACOS_SIGN_IDENTITY ("Developer ID Application: Name (TEAMID)"),
#   NOTARY_KEY_P8 (base64 of an App Store Connect API key), NOTARY_KEY_ID, NOTARY_ISSUER.
set -euo pipefail
app=${1:?usage: sign-and-notarise.sh APP}
: "${MACOS_CERT_P12:?} ${MACOS_CERT_PASSWORD:?} ${MACOS_SIGN_IDENTITY:?}"
: "${NOTARY_KEY_P8:?} ${NOTARY_KEY_ID:?} ${NOTARY_ISSUER:?}"

work=$(mktemp -d)
keychain="$work/signing.keychain-db"
trap 'security delete-keychain "$keychain" 2>/dev/null || true; rm -rf "$work"' EXIT

# a throw-away keychain holding only the signing certificate
kc_password=$(uuidgen)
security create-keychain -p "$kc_password" "$keychain"
security set-keychain-settings -lut 3600 "$keychain"
security unlock-keychain -p "$kc_password" "$keychain"
echo "$MACOS_CERT_P12" | base64 --decode > "$work/cert.p12"
security import "$work/cert.p12" -k "$keychain" -P "$MACOS_CERT_PASSWORD" -T /usr/bin/codesign
security set-key-partition-list -S apple-tool:,apple: -s -k "$kc_password" "$keychain" >/dev/null
security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')

codesign --force --deep --options runtime --timestamp --keychain "$keychain" \
  --sign "$MACOS_SIGN_IDENTITY" "$app"
codesign --verify --strict --verbose=2 "$app"

echo "$NOTARY_KEY_P8" | base64 --decode > "$work/notary.p8"
ditto -c -k --keepParent "$app" "$work/app.zip"
xcrun notarytool submit "$work/app.zip" --key "$work/notary.p8" --key-id "$NOTARY_KEY_ID" \
  --issuer "$NOTARY_ISSUER" --wait
xcrun stapler staple "$app"
spctl --assess --type execute --verbose "$app"
