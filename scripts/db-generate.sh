#!/usr/bin/env bash
# Regenerates the checked-in migrations from hub/store/schema with drizzle-kit.
set -euo pipefail
cd "$(dirname "$0")/.."
npx drizzle-kit generate --config drizzle.config.ts "$@"
