"""A TCP proxy on 127.0.0.1 that a test can cut, stall and restore: a database that goes away."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from typing import Literal, Self


class TcpProxy:
    """Forward connections on ``127.0.0.1:<port>`` to ``target``.

    ``cut()`` resets every open connection and resets new ones as soon as they arrive (what a
    client sees when the server or the network in between dies). ``stall()`` keeps every
    connection open but forwards nothing either way, and accepts new ones without ever
    answering them (packets silently dropped somewhere, while the client's kernel still
    sees a live peer that acknowledges what it is sent). ``restore()`` forwards again: the
    stalled connections carry on where they stopped; the ones accepted during the stall,
    never answered, are reset.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._state: Literal["forward", "stall", "cut"] = "forward"
        self._changed = threading.Condition()
        self._open: set[socket.socket] = set()
        self._unanswered: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.cut()
        # Shut down, not only closed: close() does not wake the thread blocked in accept().
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "the proxy's accept thread did not stop"

    def cut(self) -> None:
        with self._changed:
            self._state = "cut"
            for sock in (*self._open, *self._unanswered):
                _reset(sock)
            self._open.clear()
            self._unanswered.clear()
            self._changed.notify_all()

    def stall(self) -> None:
        with self._changed:
            self._state = "stall"

    def restore(self) -> None:
        with self._changed:
            self._state = "forward"
            for sock in self._unanswered:
                _reset(sock)
            self._unanswered.clear()
            self._changed.notify_all()

    def _flowing(self) -> bool:
        """Wait out a stall; say whether to go on (False: the proxy was cut meanwhile)."""
        with self._changed:
            self._changed.wait_for(lambda: self._state != "stall")
            return self._state == "forward"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed by __exit__
            with self._changed:
                if self._state == "cut":
                    _reset(client)
                    continue
                if self._state == "stall":
                    self._unanswered.add(client)
                    continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            upstream.settimeout(None)
            with self._changed:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while self._flowing() and (data := source.recv(65536)) and self._flowing():
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._changed:
                for sock in (source, sink):
                    if sock in self._open:
                        self._open.discard(sock)
                        _reset(sock)


def _reset(sock: socket.socket) -> None:
    """End the connection at once, for both peers."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # close() alone does not end a connection another thread is blocked reading.
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
