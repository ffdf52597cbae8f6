#!/usr/bin/env bash
# Usage: scripts/test.sh [CARGO TEST ARGS...]
#
# The project's test command: runs `cargo test --workspace` against a fresh
# in-memory DynamoDB Local (see scripts/with-dynamodb-local.sh). Extra
# arguments go to cargo test, e.g. `scripts/test.sh -p runtime -- --nocapture`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec "$root/scripts/with-dynamodb-local.sh" cargo test --workspace "$@"
