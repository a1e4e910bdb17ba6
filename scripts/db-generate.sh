#!/usr/bin/env bash
# Regenerates the checked-in migration from hub/store/schema with drizzle-kit.
# Until the first release there is one migration, 0000_init, rebuilt from the schema each time;
# after a release, drop the `rm` and let drizzle-kit add incremental migrations.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf drizzle
npx drizzle-kit generate --config drizzle.config.ts --name init >/dev/null
echo "migration regenerated: $(ls drizzle/*.sql)"
