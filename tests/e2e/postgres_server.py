"""A throwaway PostgreSQL server for the end-to-end tests.

`running_postgres()` makes sure PostgreSQL is installed (scripts/ensure_postgres.sh), creates a
cluster in a temporary folder, starts it on 127.0.0.1 and a free port with trust authentication
(test-only), and on exit stops it and removes the folder, also when a test fails. PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` OS user. Its default time
zone is not UTC, as on many production servers, so that a loader that leaves timestamps to the
session's time zone shows it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
ENSURE = REPO / "scripts" / "ensure_postgres.sh"
NOT_INSTALLABLE = 2
PORT_ATTEMPTS = 5
USER = "postgres"
SERVER_TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class PostgresServer:
    """Where the running test server listens; `postgres` is its trusted superuser."""

    host: str
    port: int
    user: str = USER
    database: str = "postgres"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def new_database(self, name: str) -> PostgresServer:
        """This server, with a new empty database `name` to work in."""
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        return replace(self, database=name)

    def target_env(self) -> dict[str, str]:
        """target-postgres settings pointing at this server, as Meltano env vars."""
        return {
            "TARGET_POSTGRES_HOST": self.host,
            "TARGET_POSTGRES_PORT": str(self.port),
            "TARGET_POSTGRES_USER": self.user,
            "TARGET_POSTGRES_PASSWORD": "",
            "TARGET_POSTGRES_DATABASE": self.database,
        }


def server_bindir() -> Path:
    """PostgreSQL's bin folder, installing PostgreSQL first if it is missing."""
    if not ENSURE.exists():
        pytest.fail(f"{ENSURE} is missing")
    done = subprocess.run(["bash", str(ENSURE)], capture_output=True, text=True, check=False)
    if done.returncode == NOT_INSTALLABLE:
        pytest.skip(f"no PostgreSQL server to test against: {done.stderr.strip()}")
    if done.returncode != 0:
        pytest.fail(f"installing PostgreSQL failed:\n{done.stderr[-4000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def as_server_user() -> list[str]:
    """The command prefix that runs PostgreSQL's programs as a user allowed to run them."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(USER)
    except KeyError:
        pytest.skip(f"running as root, and there is no '{USER}' OS user to run PostgreSQL as")
    if not shutil.which("runuser"):
        pytest.skip(f"running as root, and there is no runuser to run PostgreSQL as '{USER}'")
    return ["runuser", "-u", USER, "--"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """One PostgreSQL cluster in a temporary folder, run with the programs in `bindir`."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.log = root / "server.log"
        self.prefix = as_server_user()

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [*self.prefix, str(self.bindir / program), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done

    def init(self) -> None:
        if self.prefix:
            owner = pwd.getpwnam(USER)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        done = self.run(
            "initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        assert done.returncode == 0, f"initdb failed:\n{done.stdout}\n{done.stderr}"
        (self.data / "pg_hba.conf").write_text(
            "# test-only: trust on the socket and on loopback, nothing else\n"
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
        )

    def start(self, port: int) -> bool:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={self.root}"
            f" -c timezone={SERVER_TIMEZONE}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        done = self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60",
            "start",
        )  # fmt: skip
        return done.returncode == 0

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A started server; stopped, and its folder removed, on exit."""
    bindir = server_bindir()
    root = Path(tempfile.mkdtemp(prefix="e2e-postgres-"))
    cluster = Cluster(bindir, root)
    started = False
    try:
        cluster.init()
        for _ in range(PORT_ATTEMPTS):
            port = free_port()
            started = cluster.start(port)
            if started:
                break
        assert started, f"PostgreSQL did not start:\n{cluster.log_tail()}"
        yield PostgresServer(host="127.0.0.1", port=port)
    finally:
        if started:
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
