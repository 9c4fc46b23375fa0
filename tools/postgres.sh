#!/usr/bin/env bash
# A local PostgreSQL for Lenscale's scale-out catalog and its tests.
#
#   tools/postgres.sh start    # ensure the server runs on 127.0.0.1:5432, the role and databases exist;
#                              # prints the test URL on stdout (logs go to stderr)
#   tools/postgres.sh stop     # stop the server
#   tools/postgres.sh status   # exit 0 when the server accepts connections
#   tools/postgres.sh url      # print the test URL
#
#   export LENSCALE_TEST_POSTGRES_URL="$(tools/postgres.sh start)"
#
# Why Debian's cluster tools rather than a private initdb: CI and developer machines are fresh
# Debian 12 images where `apt-get install postgresql` (tools/setup.sh) already created cluster
# "main"; reusing it keeps one server per machine on the well-known port. In containers there is no
# systemd to start it, so `start` does it with pg_ctlcluster, which works with or without systemd.
#
# Why every step checks before acting: CI runs `start` before every test job, and a developer runs
# it whenever in doubt; a second run must change nothing. Nothing here reads stdin.
set -euo pipefail

pg_version="${LENSCALE_PG_VERSION:-15}"
cluster="main"
host="127.0.0.1"
port="5432"
role="lenscale"
password="lenscale"
databases=(lenscale lenscale_test)
# The parallel test phase opens many pools at once (two per queue test, plus LISTEN connections
# and psql); Debian's default of 100 turned a busy run into "too many clients" failures.
max_connections=400
test_url="postgres://${role}:${password}@${host}:${port}/lenscale_test"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Root is needed to create and start a cluster owned by the postgres user; re-run through sudo
# (non-interactively, so CI never hangs on a password prompt) when we are not root.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@" || die "need root: run 'sudo $0 ${command:-start}'"
    else
        die "need root (or sudo) to manage the PostgreSQL cluster"
    fi
}

# psql as the cluster's superuser over the local socket (peer authentication), from a directory
# the postgres user can read so psql does not warn about the current directory.
psql_admin() {
    (cd / && as_root runuser -u postgres -- psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 \
        --port "$port" --dbname postgres "$@")
}

require_tools() {
    command -v pg_ctlcluster >/dev/null 2>&1 && [[ -x "/usr/lib/postgresql/$pg_version/bin/postgres" ]] \
        || die "PostgreSQL $pg_version is not installed: run 'bash tools/setup.sh' (apt-get install postgresql)"
}

cluster_exists() { pg_lsclusters --no-header 2>/dev/null | awk -v v="$pg_version" -v c="$cluster" '$1==v && $2==c {found=1} END {exit !found}'; }
cluster_online() { pg_lsclusters --no-header 2>/dev/null | awk -v v="$pg_version" -v c="$cluster" '$1==v && $2==c && $4 ~ /^online/ {found=1} END {exit !found}'; }

ensure_cluster() {
    if ! cluster_exists; then
        log "creating cluster $pg_version/$cluster on port $port"
        as_root pg_createcluster "$pg_version" "$cluster" --port "$port" >&2
    fi
    # The port matters because tests and docs assume the well-known one; a cluster created
    # while another server held 5432 would have been given the next free port.
    local configured
    configured="$(pg_conftool -s "$pg_version" "$cluster" show port 2>/dev/null || echo "$port")"
    if [[ "$configured" != "$port" ]]; then
        log "setting port $port for cluster $pg_version/$cluster (was $configured)"
        as_root pg_conftool "$pg_version" "$cluster" set port "$port"
        if cluster_online; then as_root pg_ctlcluster "$pg_version" "$cluster" restart; fi
    fi
    configured="$(pg_conftool -s "$pg_version" "$cluster" show max_connections 2>/dev/null || echo 100)"
    if [[ "$configured" != "$max_connections" ]]; then
        log "setting max_connections $max_connections for cluster $pg_version/$cluster (was $configured)"
        as_root pg_conftool "$pg_version" "$cluster" set max_connections "$max_connections"
        if cluster_online; then as_root pg_ctlcluster "$pg_version" "$cluster" restart; fi
    fi
}

wait_ready() {
    for _ in $(seq 1 60); do
        if pg_isready --quiet --host "$host" --port "$port" --timeout 1; then return 0; fi
        sleep 0.5
    done
    die "the server did not accept connections on $host:$port within 30 s; see /var/log/postgresql/postgresql-$pg_version-$cluster.log"
}

ensure_role_and_databases() {
    # ALTER ROLE on every run so a role left over with another password still matches the URL.
    psql_admin <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
        CREATE ROLE $role LOGIN;
    END IF;
END
\$\$;
ALTER ROLE $role WITH LOGIN PASSWORD '$password';
SQL
    local db
    for db in "${databases[@]}"; do
        # CREATE DATABASE cannot run inside DO blocks, so generate it conditionally and \gexec it.
        psql_admin <<SQL
SELECT 'CREATE DATABASE $db OWNER $role' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')
\gexec
SQL
    done
}

start() {
    require_tools
    ensure_cluster
    if ! cluster_online; then
        log "starting cluster $pg_version/$cluster"
        as_root pg_ctlcluster "$pg_version" "$cluster" start
    fi
    wait_ready
    ensure_role_and_databases
    log "ready on $host:$port (role $role, databases ${databases[*]})"
    printf '%s\n' "$test_url"
}

stop() {
    require_tools
    if cluster_exists && cluster_online; then
        log "stopping cluster $pg_version/$cluster"
        as_root pg_ctlcluster "$pg_version" "$cluster" stop
    else
        log "cluster $pg_version/$cluster is not running"
    fi
}

command="${1:-}"
case "$command" in
    start) start ;;
    stop) stop ;;
    status) pg_isready --host "$host" --port "$port" --timeout 2 >&2 ;;
    url) printf '%s\n' "$test_url" ;;
    *) die "usage: $0 start|stop|status|url" ;;
esac
