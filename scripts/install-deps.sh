#!/usr/bin/env bash
# Installs what Yunke needs, only what is missing, quietly; safe to run again and again.
#   scripts/install-deps.sh          what the server needs (run.sh)
#   scripts/install-deps.sh --tests  and what the tests need too (test.sh)
# Debian packages come from apt (as root, or through sudo); .NET tools and NuGet packages from NuGet.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
cd "$(dirname "$0")/.."

# espeak-ng speaks TTS prompts, sox converts and measures audio.
packages=(espeak-ng sox)
if [[ "${1:-}" == "--tests" ]]; then
  # postgresql: the second database provider; chromium (+ CJK fonts for the Chinese console):
  # end-to-end tests through Playwright; sip-tester (sipp) and baresip: real SIP peers; kamailio: the
  # registrar the registration benchmark compares Yunke with; openssl: an independent DTLS-SRTP peer.
  packages+=(postgresql chromium fonts-noto-cjk sip-tester baresip kamailio openssl)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    as_root=(sudo)
  fi
  echo "Installing ${missing[*]} (Debian packages)..."
  log=$(mktemp)
  if ! { "${as_root[@]}" apt-get update -qq &&
         "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
fi

dotnet tool restore >/dev/null
dotnet restore Yunke.slnx --verbosity quiet
