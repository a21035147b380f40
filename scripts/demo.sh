#!/usr/bin/env bash
# The main job, end to end, with no outside service: make an OpenPGP key and a
# small image, copy the image with --sign-by to a local destination, then check
# it against a signedBy policy (accepted), and show a tampered copy rejected.
# Usage: bash scripts/demo.sh [WORKDIR]   (default: a fresh temp directory)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules ]]; then npm ci --no-audit --no-fund; fi
# The test suite runs the demo against the build it already made.
if [[ -z ${IMGSIGN_DEMO_NO_BUILD:-} ]]; then npm run build --silent; fi

work=${1:-$(mktemp -d -t imgsign-demo-XXXXXX)}
mkdir -p "$work"
export IMGSIGN_HOME="$work/keys"
imgsign() { node bin/run.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. make a signing key (imgsign keyring in $IMGSIGN_HOME)"
imgsign key generate --name 'imgsign demo' --email demo@example.com --type ed25519
imgsign key export demo@example.com --armor >"$work/demo.pub"

step "2. make a small image in dir:$work/image"
node scripts/make-demo-image.js "$work/image" 4096 >/dev/null

step "3. copy it, signing as demo@example.com for identity registry.example.com/demo:1"
imgsign copy --sign-by demo@example.com --sign-identity registry.example.com/demo:1 \
  "dir:$work/image" "dir:$work/signed"

step "4. check the signed copy against a signedBy policy"
cat >"$work/policy.json" <<JSON
{
  "default": [{ "type": "reject" }],
  "transports": {
    "dir": {
      "": [
        {
          "type": "signedBy",
          "keyType": "GPGKeys",
          "keyPath": "$work/demo.pub",
          "signedIdentity": {
            "type": "exactReference",
            "dockerReference": "registry.example.com/demo:1"
          }
        }
      ]
    }
  }
}
JSON
imgsign verify --policy "$work/policy.json" "dir:$work/signed"

step "5. tamper with the manifest: the same check must reject it"
cp -r "$work/signed" "$work/tampered"
sed -i 's/"schemaVersion": 2/"schemaVersion":2/' "$work/tampered/manifest.json"
if imgsign verify --policy "$work/policy.json" "dir:$work/tampered"; then
  echo "demo: the tampered image was accepted; this is a bug" >&2
  exit 1
fi
printf '\ndemo finished: files in %s\n' "$work"
