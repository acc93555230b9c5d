#!/usr/bin/env bash
# Regenerates a migration for both providers from the current model.
#   scripts/migrations.sh AddThing     adds a migration named AddThing to SQLite and PostgreSQL
# Migrations are generated, never edited by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/migrations.sh MigrationName}
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  dotnet ef migrations add "$name" --project src/Yunke.Core --startup-project src/Yunke.Core \
    --context "${provider}YunkeDb" --output-dir "Persistence/Migrations/$provider"
done
