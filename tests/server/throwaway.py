"""A throwaway PostgreSQL server in a temporary folder, for the server tests and benchmarks.

``initdb`` + ``pg_ctl`` from PATH or from Debian's /usr/lib/postgresql/*/bin.
The server listens on a unix socket inside its own folder, where it trusts
every login (the tests' administrator), and on a random localhost port, where
it asks for passwords as a lab's server does. PostgreSQL refuses to run as root, so
when the tests run as root the server runs as the unprivileged user ``nobody``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "sspadmin"
# initdb and pg_ctl take seconds; a command still running after this long has hung, and the tests say so.
_COMMAND_SECONDS = 180


def find_pg_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ThrowawayServer:
    folder: Path
    port: int
    bin_dir: Path
    _run_as: int | None

    def url(self, db: str = "postgres", user: str = SUPERUSER, password: str | None = None) -> str:
        """A URL over the unix socket (host given as a query parameter, as libpq accepts)."""
        auth = f"{user}:{password}@" if password else f"{user}@"
        return f"postgresql://{auth}/{db}?host={self.folder / 'socket'}&port={self.port}"

    def tcp_url(self, db: str, user: str, password: str) -> str:
        """A URL over TCP to localhost, where the server asks for the password (as a lab's server does)."""
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        # The folder is deleted next: no need for the shutdown checkpoint a clean stop writes.
        self._pg_ctl("stop", "-m", "immediate", "-w")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run([str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), *args],
                       check=True, capture_output=True, timeout=_COMMAND_SECONDS, **self._demoted())

    def _demoted(self) -> dict:
        """subprocess arguments that run a command as the unprivileged user when the tests run as root.

        ``user``/``group`` switch identity in C after the fork; a Python ``preexec_fn`` would run Python
        code in a child forked from a process whose other threads (frame servers, Qt) may hold the
        interpreter's locks, and such a child can hang for ever before it execs.
        """
        if self._run_as is None:
            return {}
        return {"user": self._run_as, "group": self._run_as, "extra_groups": []}


def start_server() -> ThrowawayServer:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL (initdb, pg_ctl) is not installed")
    folder = Path(tempfile.mkdtemp(prefix="ssp-pg-"))
    run_as = None
    if os.geteuid() == 0:
        run_as = pwd.getpwnam("nobody").pw_uid
        os.chown(folder, run_as, run_as)
    (folder / "socket").mkdir()
    if run_as is not None:
        os.chown(folder / "socket", run_as, run_as)
    server = ThrowawayServer(folder, _free_port(), bin_dir, run_as)
    subprocess.run([str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", SUPERUSER, "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E", "UTF8", "--locale=C"], check=True, capture_output=True, timeout=_COMMAND_SECONDS,
                   **server._demoted())
    options = (f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories={folder / 'socket'} "
               "-c fsync=on -c max_connections=100")
    for attempt in range(3):
        try:
            server._pg_ctl("start", "-w", "-t", "60", "-l", str(folder / "server.log"), "-o", options)
            return server
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            if attempt == 2:
                log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
                shutil.rmtree(folder, ignore_errors=True)
                raise RuntimeError(f"the test PostgreSQL server did not start:\n{log[-2000:]}") from None
            server.port = _free_port()
            options = options.replace(options.split("port=")[1].split()[0], str(server.port), 1)
            time.sleep(0.5)
    raise AssertionError("unreachable")
