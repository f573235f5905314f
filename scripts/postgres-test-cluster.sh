#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: `start DIR` installs Debian's postgresql when
# missing, initdb's a cluster in DIR (as the postgres user when run as root), starts it on a
# free loopback port with its socket in DIR, creates the database `yinxin`, and prints its URL
# (postgres://postgres@127.0.0.1:PORT/yinxin). `stop DIR [immediate]` stops it (immediate: as a
# crash would). Nothing outside DIR is touched.
set -euo pipefail
cmd=${1:?start|stop}
dir=$(realpath -m "${2:?DIR}")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
case "$cmd" in
  start)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
      sudo_cmd=()
      [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
      "${sudo_cmd[@]}" apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq postgresql >&2
      bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb -D '$dir/data' -A trust -U postgres >'$dir/initdb.log' 2>&1"
    as_owner "$bin/pg_ctl -D '$dir/data' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1\" -l '$dir/log' -w start >/dev/null"
    echo "$port" >"$dir/port"
    as_owner "$bin/createdb -h 127.0.0.1 -p $port -U postgres yinxin"
    echo "postgres://postgres@127.0.0.1:$port/yinxin"
    ;;
  stop)
    mode=${3:-fast}
    as_owner "$bin/pg_ctl -D '$dir/data' -m $mode -w stop >/dev/null" || true
    ;;
  restart)
    # After an immediate stop: start again on the same port (crash recovery runs).
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl -D '$dir/data' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1\" -l '$dir/log' -w start >/dev/null"
    ;;
  *)
    echo "usage: $0 start|stop|restart DIR" >&2
    exit 2
    ;;
esac
