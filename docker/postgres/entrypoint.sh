#!/bin/sh
# Initialises the cluster on first start (POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB), then
# runs PostgreSQL in the foreground as the postgres user.
set -eu
bin=/usr/lib/postgresql/15/bin
mkdir -p "$PGDATA" /run/postgresql
chown -R postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s' "${POSTGRES_PASSWORD:?}" >"$pwfile"
  chown postgres "$pwfile"
  su postgres -s /bin/sh -c "$bin/initdb -D '$PGDATA' -U '${POSTGRES_USER:-postgres}' --pwfile='$pwfile' --auth-host=scram-sha-256 --auth-local=trust" >/dev/null
  rm -f "$pwfile"
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$PGDATA' -o '-c listen_addresses=' -w start" >/dev/null
  # As the official image: the database POSTGRES_DB, by default named after the user.
  db="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"
  if [ "$db" != postgres ]; then
    su postgres -s /bin/sh -c "$bin/psql -U '${POSTGRES_USER:-postgres}' -d postgres -qc 'CREATE DATABASE \"$db\"'"
  fi
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$PGDATA' -m fast -w stop" >/dev/null
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' 
