"""Streaming content decoding with a hard limit on the DECODED size: a gzip bomb costs at most the limit."""

from __future__ import annotations

import zlib

# Only what can be decoded with a bounded output is advertised (zlib's max_length); br is not.
ACCEPT_ENCODING = "gzip, deflate"


class TooLarge(Exception):
    """More decoded bytes than the limit; args[0] is the body cut at the limit."""


class _Zlib:
    """gzip (multi-member too) or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._wbits = 31 if kind == "gzip" else 15
        self._d = zlib.decompressobj(self._wbits)
        self._started = False

    def decompress(self, data: bytes, room: int, out: list[bytes]) -> int:
        """Append at most `room` decoded bytes to `out`, return how many; raise _Over if there are more."""
        produced = 0
        while data:
            try:
                # with room 0 this still asks for one byte: any output at all is one too many
                chunk = self._d.decompress(data, max(1, room - produced))
            except zlib.error:
                if self.kind == "deflate" and not self._started and self._wbits == 15:
                    self._wbits, self._d = -15, zlib.decompressobj(-15)
                    continue
                raise
            self._started = True
            if chunk and produced + len(chunk) > room:
                raise _Over(produced)
            if chunk:
                out.append(chunk)
                produced += len(chunk)
            if self._d.eof and self._d.unused_data and self.kind == "gzip":
                data = self._d.unused_data  # the next member of a multi-member gzip stream
                self._d = zlib.decompressobj(self._wbits)
            else:
                data = self._d.unconsumed_tail
        return produced


class _Over(Exception):
    pass


class BodyDecoder:
    """Feed raw chunks, get the decoded body; raises TooLarge (carrying the part that fits) past `limit`.

    `decoded` tells whether Content-Encoding was undone; an encoding we do not know (never asked for)
    is kept as received, limited on its raw size. Memory: the decoded parts plus one joined copy.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        known = all(c in ("gzip", "x-gzip", "deflate") for c in codings)
        self.decoded = bool(codings) and known
        # applied in reverse: the last coding listed was applied last by the server
        self._steps = [_Zlib("gzip" if c == "x-gzip" else c) for c in reversed(codings)] if known else []
        self.limit = limit
        self._parts: list[bytes] = []
        self.size = 0
        self.raw_size = 0

    def feed(self, chunk: bytes) -> None:
        self.raw_size += len(chunk)
        room = self.limit - self.size
        if not self._steps:
            if len(chunk) > room:
                self._parts.append(chunk[:room])
                self.size = self.limit
                raise TooLarge(self.body())
            self._parts.append(chunk)
            self.size += len(chunk)
            return
        data = [chunk]
        try:
            for i, step in enumerate(self._steps):
                out: list[bytes] = []
                last = i == len(self._steps) - 1
                # inner steps of a chained coding get the same bound; their output is smaller anyway
                produced = step.decompress(b"".join(data), room, self._parts if last else out)
                data = out
        except _Over:
            self.size = sum(map(len, self._parts))
            raise TooLarge(self.body()) from None
        self.size += produced

    def body(self) -> bytes:
        if len(self._parts) > 1:
            self._parts = [b"".join(self._parts)]
        return self._parts[0] if self._parts else b""
