"""A real TCP proxy that makes a dependency slow or frozen, and a private ``redis-server``.

:class:`SlowTcpProxy` forwards 127.0.0.1:<port> to an upstream server. It can delay every reply
(``delay`` seconds per chunk from the server) or stop forwarding altogether (:meth:`freeze`:
bytes are accepted but neither passed on nor answered, as with a hung server, until
:meth:`thaw`). It counts what reached it (``chunks``: reads from clients, ``connections``), so a
test can prove a call never left the process.

:func:`private_redis` starts a ``redis-server`` of the test's own on a spare port (never the
machine's Redis), so tests may freeze, slow or kill it.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from types import TracebackType


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SlowTcpProxy:
    def __init__(self, upstream_port: int, *, delay: float = 0.0, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.delay = delay
        self.chunks = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = False
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, name="slow-proxy-accept", daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def freeze(self) -> None:
        """Stop forwarding in both directions: every call through the proxy hangs."""
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    def reached(self) -> int:
        """How many reads from clients reached the proxy so far (a call is at least one)."""
        with self._lock:
            return self.chunks

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, replies: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if not replies:
                    with self._lock:
                        self.chunks += 1
                if replies and self.delay:
                    time.sleep(self.delay)
                self._flowing.wait()
                if self._closed:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def close(self) -> None:
        self._closed = True
        self._flowing.set()
        self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> SlowTcpProxy:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


def redis_server_installed() -> bool:
    return shutil.which("redis-server") is not None


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def private_redis() -> Iterator[int]:
    """A throw-away ``redis-server`` (no persistence) on a spare port; yields the port."""
    port = spare_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if _answers_ping(port):
                break
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode} on port {port}")
            time.sleep(0.05)
        else:
            raise RuntimeError(f"redis-server on port {port} did not answer PING")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
