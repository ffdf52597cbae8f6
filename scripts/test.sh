#!/usr/bin/env bash
# Usage: scripts/test.sh [CARGO TEST ARGS...]
#
# The project's test command. Against one fresh in-memory DynamoDB Local (see
# scripts/with-dynamodb-local.sh) it runs
#   1. `cargo test --workspace --all-features`: every test, with every optional
#      attribute type (chrono, time, jiff, rust_decimal, bigdecimal, uuid, serde);
#   2. `cargo test -p dynatomic`: the runtime's tests again with no optional
#      feature, as a project that enables none of them builds it.
# Extra arguments go to both runs, e.g. `scripts/test.sh -- --nocapture`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec "$root/scripts/with-dynamodb-local.sh" bash -c \
    'cargo test --workspace --all-features "$@" && cargo test -p dynatomic "$@"' test.sh "$@"
