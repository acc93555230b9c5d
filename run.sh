#!/usr/bin/env bash
# Starts Yunke (web console, REST API, SIP) on the embedded SQLite database in ./data.
# Any setting of the README's table can follow, e.g.
#   ./run.sh --urls http://127.0.0.1:9000 --Yunke:Operator:Password='Demo#Pass2026'
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
cd "$(dirname "$0")"
scripts/install-deps.sh
echo "Building Yunke..."
dotnet publish src/Yunke.Server -c Release -o artifacts/server --nologo -v q >/dev/null

url=http://127.0.0.1:8080
# The demo operator password, unless one is chosen; it is set when ./data is first created.
password=${Yunke__Operator__Password:-Yunke#Demo2026}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --urls=*) url=${args[i]#--urls=} ;;
    --urls) url=${args[i + 1]:-$url} ;;
    --Yunke:Operator:Password=*) password=${args[i]#*=} ;;
  esac
done
url=${url%%;*}

cat <<BANNER

  Yunke
  Console and sign-up:  $url/
  API reference:        $url/docs      (OpenAPI: $url/openapi/v1.json)
  Demo operator:        account 'operator', password '$password'
                        (set when ./data is first created; choose another with
                         ./run.sh --Yunke:Operator:Password='...'; delete ./data to start from nothing)

BANNER
# The content root is the published folder (appsettings.json, web assets); data stays in ./data.
exec dotnet artifacts/server/Yunke.Server.dll --contentRoot "$PWD/artifacts/server" --Yunke:Operator:Password="$password" "$@"
