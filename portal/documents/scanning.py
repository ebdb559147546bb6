"""Virus scanning with ClamAV's daemon (clamd), over its socket, with the INSTREAM command.

The protocol is small (https://docs.clamav.net/manual/Usage/Scanning.html#clamd):
send `zINSTREAM\\0`, then the file in chunks each preceded by its length as a 4-byte
big-endian number, then a zero length; clamd answers `stream: OK`, `stream: <name> FOUND`
or `... ERROR`, ended by a NUL. No Python client on PyPI is maintained (`clamd` and
`pyclamd` have had no release for years), so this is written here.

Fail closed: any answer other than OK or FOUND, and any socket error, is Unavailable,
and the caller refuses the upload.

Settings (config or environment): CLAMD_SOCKET, a Unix socket path (default
instance/clamav/clamd.sock, where scripts/run and scripts/test start one), or
CLAMD_HOST and CLAMD_PORT for clamd over TCP. CLAMD_TIMEOUT_SECONDS (default 30).
"""

import socket
import struct
from dataclasses import dataclass
from pathlib import Path

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Clean:
    scanner: str  # e.g. "ClamAV 1.4.6/27000/Sat Nov 28 ..." (version and signatures)


@dataclass(frozen=True)
class Infected:
    signature: str  # e.g. "Eicar-Signature"


@dataclass(frozen=True)
class Unavailable:
    reason: str


class Scanner:
    def __init__(
        self, socket_path: str | None = None, host: str | None = None, port: int = 3310, timeout: float = 30.0
    ):
        self.socket_path, self.host, self.port, self.timeout = socket_path, host, port, timeout

    @classmethod
    def from_config(cls, config, instance_path: str) -> "Scanner":
        host = config.get("CLAMD_HOST") or None
        path = config.get("CLAMD_SOCKET") or str(Path(instance_path) / "clamav" / "clamd.sock")
        return cls(
            socket_path=None if host else path,
            host=host,
            port=int(config.get("CLAMD_PORT") or 3310),
            timeout=float(config.get("CLAMD_TIMEOUT_SECONDS") or 30),
        )

    def _connect(self) -> socket.socket:
        if self.host:
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        return sock

    def _command(self, command: bytes, payload: bytes | None = None) -> str:
        with self._connect() as sock:
            sock.sendall(b"z" + command + b"\0")
            if payload is not None:
                for start in range(0, len(payload), CHUNK):
                    chunk = payload[start : start + CHUNK]
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def version(self) -> str:
        return self._command(b"VERSION")

    def ping(self) -> bool:
        try:
            return self._command(b"PING") == "PONG"
        except OSError:
            return False

    def scan(self, data: bytes) -> Clean | Infected | Unavailable:
        try:
            version = self.version()
            reply = self._command(b"INSTREAM", data)
        except OSError as error:
            return Unavailable(f"clamd could not be reached: {error.__class__.__name__}")
        if reply.endswith("FOUND"):
            return Infected(reply.removeprefix("stream:").removesuffix("FOUND").strip())
        if reply == "stream: OK":
            return Clean(version[:200])
        return Unavailable(f"clamd answered: {reply[:100]}")
