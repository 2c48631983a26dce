#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to this admin-tools image's version, as
# Temporal's own compose does (temporalio/samples-server compose/); safe to rerun: create tolerates existing databases.
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS names the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
port="${DB_PORT:-5432}"
# The admin-tools image carries the schema files here; the topology harness without Docker gives its own copy.
schemas="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12"
for db in temporal temporal_visibility; do
  dir="$schemas/temporal/versioned"
  [ "$db" = temporal_visibility ] && dir="$schemas/visibility/versioned"
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$db" create || true
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$db" setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$db" update-schema -d "$dir"
done
echo "Temporal schema ready"
