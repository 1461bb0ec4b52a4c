#!/usr/bin/env bash
# Makes sure PostgreSQL's server programs (initdb, pg_ctl, postgres) are on this machine, for the
# end-to-end tests, and prints the folder that holds them.
#
# Found on PATH or under /usr/lib/postgresql/*/bin: nothing is installed. Missing: Debian's
# `postgresql` package is installed with apt-get, without the default cluster and service (the
# tests start their own server in a temporary folder).
#
# Exit status: 0 found or installed; 2 missing and not installable here (not root, or no
# apt-get), with the reason on stderr; any other: the installation failed.
set -euo pipefail

find_bindir() {
    local pg_ctl dir
    if pg_ctl=$(command -v pg_ctl) && [ -x "$(dirname "$pg_ctl")/initdb" ]; then
        dirname "$pg_ctl"
        return 0
    fi
    for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if find_bindir; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL (initdb, pg_ctl) is not installed, and installing it needs root:" \
        "run 'apt-get install postgresql' as root, or put its bin folder on PATH." >&2
    exit 2
fi
if ! command -v apt-get >/dev/null; then
    echo "PostgreSQL (initdb, pg_ctl) is not installed, and there is no apt-get to install" \
        "it with: install PostgreSQL's server and put its bin folder on PATH." >&2
    exit 2
fi

echo "Installing PostgreSQL (Debian's postgresql package) for the end-to-end tests" >&2
export DEBIAN_FRONTEND=noninteractive
{
    apt-get update -qq
    # postgresql-common first, so that installing the server creates no cluster to start.
    apt-get install -y -qq --no-install-recommends postgresql-common
    sed -i -E 's/^#? *create_main_cluster *=.*$/create_main_cluster = false/' \
        /etc/postgresql-common/createcluster.conf
    apt-get install -y -qq --no-install-recommends postgresql
} >&2

if ! find_bindir; then
    echo "apt-get installed postgresql, but initdb and pg_ctl are still not found" >&2
    exit 1
fi
