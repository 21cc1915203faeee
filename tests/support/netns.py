"""Another "host" for the integration tests: two network namespaces joined by a veth pair.

    namespace A (servers)  10.213.<n>.1/30 ==veth== 10.213.<n>.2/30  namespace B (the other host)

Both ends of the veth are created inside the test's own namespaces (`ip -n A link add ... peer ...
netns B`), so the addresses exist nowhere else and no packet leaves them; the host's own network is
never touched. PostgreSQL and Redis listen on A's address (and on unix sockets in a temporary folder,
which is how the test process itself, outside both namespaces, reads the database). Everything is
removed on the way out, also when the test fails: processes first, then the namespaces (deleting a
namespace deletes its end of the veth, and the pair with it).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import _pg_bin


@dataclass(frozen=True)
class NetnsPair:
    server_ns: str
    host_ns: str
    server_addr: str
    host_addr: str

    def prefix(self, ns: str) -> list[str]:
        return ["ip", "netns", "exec", ns]


def netns_unavailable() -> str | None:
    """Why the namespace tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (ip netns add)"
    if shutil.which("ip") is None:
        return "needs iproute2's `ip`"
    if _pg_bin() is None or shutil.which("redis-server") is None:
        return "needs PostgreSQL and Redis binaries"
    probe = f"phprobe{secrets.token_hex(3)}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@contextmanager
def netns_pair() -> Iterator[NetnsPair]:
    tag = secrets.token_hex(3)
    n = int(tag[:2], 16)  # the third octet: only for readability, the namespaces are private anyway
    pair = NetnsPair(f"phsrv{tag}", f"phhost{tag}", f"10.213.{n}.1", f"10.213.{n}.2")
    made: list[str] = []
    try:
        for ns in (pair.server_ns, pair.host_ns):
            _ip("netns", "add", ns)
            made.append(ns)
        # Both ends born inside the test's namespaces: nothing appears in the host's namespace.
        _ip(
            "-n",
            pair.server_ns,
            "link",
            "add",
            f"phv{tag}a",
            "type",
            "veth",
            "peer",
            "name",
            f"phv{tag}b",
            "netns",
            pair.host_ns,
        )
        for ns, dev, addr in (
            (pair.server_ns, f"phv{tag}a", pair.server_addr),
            (pair.host_ns, f"phv{tag}b", pair.host_addr),
        ):
            _ip("-n", ns, "addr", "add", f"{addr}/30", "dev", dev)
            _ip("-n", ns, "link", "set", dev, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        yield pair
    finally:
        for ns in reversed(made):
            _kill_leftovers(ns)
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def _kill_leftovers(ns: str) -> None:
    """Anything still running inside a namespace the test made (only those: `ip netns pids`)."""
    pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), 9)


@contextmanager
def servers_in(pair: NetnsPair) -> Iterator[tuple[str, str, str]]:
    """PostgreSQL and Redis in the server namespace, listening on its veth address.

    Yields (database URL over the veth, broker URL over the veth, database URL over the unix socket
    for the test process itself)."""
    bindir = _pg_bin()
    assert bindir is not None
    tmp = Path(tempfile.mkdtemp(prefix="ph-netns-"))
    user = pwd.getpwnam("postgres")
    os.chown(tmp, user.pw_uid, user.pw_gid)
    as_pg = ["runuser", "-u", "postgres", "--"]
    ns = pair.prefix(pair.server_ns)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run(
            [*as_pg, str(bindir / "initdb"), "-D", str(tmp / "pg"), "-A", "trust", "-U", "postgres", "--no-sync"],
            check=True,
            capture_output=True,
        )
        with (tmp / "pg" / "pg_hba.conf").open("a") as hba:  # the veth's private subnet, nothing else
            hba.write(f"host all all {pair.server_addr.rsplit('.', 1)[0]}.0/30 trust\n")
        pg_args = ["-p", "5432", "-k", str(tmp), "-h", pair.server_addr, "-c", "fsync=off"]
        procs.append(
            subprocess.Popen(
                [*ns, *as_pg, str(bindir / "postgres"), "-D", str(tmp / "pg"), *pg_args],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        redis_sock = tmp / "redis.sock"
        procs.append(
            subprocess.Popen(
                [
                    *ns,
                    "redis-server",
                    "--bind",
                    pair.server_addr,
                    "--port",
                    "6379",
                    "--protected-mode",  # reachable from the other namespace; the address exists only there
                    "no",
                    "--unixsocket",
                    str(redis_sock),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        local_db = f"postgresql+psycopg://postgres@/postgres?host={tmp}&port=5432"
        _wait_ready(local_db, redis_sock)
        yield (
            f"postgresql+psycopg://postgres@{pair.server_addr}:5432/postgres",
            f"redis://{pair.server_addr}:6379/0",
            local_db,
        )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_ready(local_db: str, redis_sock: Path, timeout: float = 30) -> None:
    import psycopg
    import redis

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(local_db.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=2):
                pass
            redis.Redis(unix_socket_path=str(redis_sock)).ping()
            return
        except Exception as exc:  # noqa: BLE001 - not up yet
            last = exc
            time.sleep(0.2)
    raise RuntimeError(f"servers in the namespace did not come up: {last}")
