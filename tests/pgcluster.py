"""A throwaway PostgreSQL cluster on a loopback port, for the record-manager tests.

``scripts/test.sh`` starts one for the session (``python tests/pgcluster.py start``
prints the shell exports, ``stop DIR`` removes it); a test that must take the database
down starts its own with ``Cluster.start()``. PostgreSQL refuses to run as root, so as
root the cluster runs as the ``postgres`` user (Debian's package creates it), or as a
``convqa-pg`` system user created on first use.
"""

from __future__ import annotations

import getpass
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DATABASE = "convqa"
ROLE = "convqa"


def pg_bin(name: str) -> str:
    """Path of a PostgreSQL program: on the PATH, or in Debian's versioned folder."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise FileNotFoundError(f"{name} not found: apt-get install -y postgresql")
    return found


def available() -> bool:
    """Whether initdb and pg_ctl can be found."""
    try:
        pg_bin("initdb"), pg_bin("pg_ctl")
    except FileNotFoundError:
        return False
    return True


def run_user() -> str:
    """The account the server runs as: never root."""
    if os.geteuid() != 0:
        return getpass.getuser()
    for name in ("postgres", "convqa-pg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "convqa-pg"], check=True)
    return "convqa-pg"


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """A PostgreSQL data directory and the server running on it."""

    directory: Path
    port: int
    password: str
    user: str

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the test database (psycopg 3 driver)."""
        return f"postgresql+psycopg://{ROLE}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def _run(self, *args: str) -> None:
        as_user = {"user": self.user} if os.geteuid() == 0 else {}
        done = subprocess.run(list(args), capture_output=True, text=True, cwd=self.directory, **as_user)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}")

    @classmethod
    def create(cls) -> "Cluster":
        """initdb a new cluster (password auth for the ``convqa`` role), not started yet."""
        user = run_user()
        # Under /tmp, not pytest's 0700 folders: the server's user must reach its directory.
        directory = Path(tempfile.mkdtemp(prefix="convqa-pg-"))
        entry = pwd.getpwnam(user)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
        cluster = cls(directory, free_port(), secrets.token_hex(12), user)
        pwfile = directory / "pw"
        pwfile.write_text(cluster.password + "\n")
        os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        cluster._run(
            pg_bin("initdb"),
            "-D",
            str(cluster.data),
            "-U",
            ROLE,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "--encoding=UTF8",
            "--no-instructions",
        )
        pwfile.unlink()
        return cluster

    def start(self) -> "Cluster":
        """Start the server on 127.0.0.1 only (socket in its own directory) and wait for it."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._run(
            pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def create_database(self) -> None:
        """CREATE DATABASE convqa (over TCP, with the password)."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=ROLE, password=self.password, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")

    def stop(self) -> None:
        """Stop the server (fast shutdown); the data directory stays."""
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop the server if it runs, and delete the cluster."""
        try:
            self.stop()
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.directory, ignore_errors=True)


def new_cluster() -> Cluster:
    """A started cluster with the ``convqa`` database."""
    cluster = Cluster.create().start()
    try:
        cluster.create_database()
    except Exception:
        cluster.remove()
        raise
    return cluster


def main(argv: list[str]) -> None:
    """``start``: print ``export`` lines for the shell; ``stop DIR``: stop and delete that cluster."""
    if argv[:1] == ["start"]:
        cluster = new_cluster()
        print(f"export CONVQA_TEST_PG_URL='{cluster.url}' CONVQA_TEST_PG_DIR='{cluster.directory}'")
    elif argv[:1] == ["stop"] and len(argv) == 2:
        directory = Path(argv[1])
        Cluster(directory, 0, "", directory.owner()).remove()
    else:
        sys.exit("usage: pgcluster.py start | stop DIR")


if __name__ == "__main__":
    main(sys.argv[1:])
