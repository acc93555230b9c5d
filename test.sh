#!/usr/bin/env bash
# Runs every test of Yunke: builds the solution (warnings are errors), starts one throw-away
# PostgreSQL cluster on a free loopback port for the run, runs each test project of Yunke.slnx with a trx
# report in TestResults/, and ends with one line "N passed, N failed[, N skipped]".
# Extra arguments go to dotnet test, e.g.  ./test.sh --filter "FullyQualifiedName~Accounts"
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
cd "$(dirname "$0")"
scripts/install-deps.sh --tests

echo "Building..."
dotnet build Yunke.slnx --nologo -v q -clp:ErrorsOnly -warnaserror

# One PostgreSQL cluster for the whole run (the fixtures create a database each in it).
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_dir=$(mktemp -d /tmp/yunke-pg.XXXXXX)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$pg_dir"; as_pg=(runuser -u postgres --); fi
stop_postgres() { "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap stop_postgres EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
started=
for _ in 1 2 3 4 5; do
  port=$((40000 + RANDOM % 10000))
  port_is_free "$port" || continue
  if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o \
      "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null; then started=1; break; fi
done
[[ -n $started ]] || { echo "Could not start PostgreSQL:" >&2; cat "$pg_dir/log" >&2; exit 1; }
export YUNKE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Include Error Detail=true"

rm -rf TestResults
status=0
# One project after the other: each report gets its own name, and the end-to-end tests do not
# compete for the two cores with the API tests.
for project in $(grep -o 'tests/[^"]*\.csproj' Yunke.slnx); do
  name=$(basename "$project" .csproj)
  dotnet test "$project" --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory TestResults "$@" || status=$?
done

# Count from the trx reports, not from the console output.
passed=0 failed=0 skipped=0
counter() { grep -o "<Counters [^>]*>" "$1" | grep -o " $2=\"[0-9]*\"" | grep -o "[0-9]*"; }
for trx in TestResults/*.trx; do
  [[ -e $trx ]] || continue
  passed=$((passed + $(counter "$trx" passed)))
  failed=$((failed + $(counter "$trx" failed) + $(counter "$trx" error) + $(counter "$trx" timeout) + $(counter "$trx" aborted)))
  skipped=$((skipped + $(counter "$trx" notExecuted)))
done
summary="$passed passed, $failed failed"
((skipped)) && summary+=", $skipped skipped"
echo "$summary"
((status == 0 && failed == 0 && passed > 0))
