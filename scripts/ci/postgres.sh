#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1 for the tests that need a real one.
#   eval "$(bash scripts/ci/postgres.sh start)"   sets DATABASE_URL_TEST and PG_TEST_DIR
#   bash scripts/ci/postgres.sh stop "$PG_TEST_DIR"
# Installs Debian's postgresql package when it is missing (needs root, as on CI).
set -euo pipefail

pg_bin() {
  local initdb
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$initdb" ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    initdb=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)
  fi
  dirname "$initdb"
}

# PostgreSQL refuses to run as root: run its tools as the `postgres` user when we are root.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    bin=$(pg_bin)
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    dir=$(mktemp -d /tmp/letitcrash-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
    as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres chat_test
    echo "export DATABASE_URL_TEST=postgres://postgres@127.0.0.1:$port/chat_test"
    echo "export PG_TEST_DIR=$dir"
    ;;
  stop)
    dir=${2:?usage: postgres.sh stop DIR}
    bin=$(pg_bin)
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh start | stop DIR" >&2
    exit 2
    ;;
esac
