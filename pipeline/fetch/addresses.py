"""Refusal of non-public addresses (loopback, private, link-local, …) unless listed explicitly."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable

from ..urls import split_host

log = logging.getLogger(__name__)

Resolver = Callable[[str], list[str]]


def system_resolver(host: str) -> list[str]:
    """Every address the system resolver gives for `host` (blocking: run it in a thread)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:10.0.0.5 is 10.0.0.5
    return ip.is_global and not ip.is_multicast


def _is_localhost_name(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


class AddressGuard:
    """Decides whether a host may be connected to, by the addresses it resolves to.

    A name that resolves to any non-public address is refused (it could be an intranet host or a
    DNS-rebinding trick), with two exceptions, both only for hosts that passed the allowed_hosts check:
    an IP literal listed in allowed_hosts (`127.0.0.1:8765` in the demo) and a `localhost` name listed
    there (it resolves to loopback only). Results are cached per host for the run.
    """

    def __init__(self, allowed_hosts: Iterable[str], resolver: Resolver | None = None) -> None:
        self._listed = {split_host(h)[0] for h in allowed_hosts}
        self._resolver = resolver or system_resolver
        self._cache: dict[str, str | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, host: str) -> str | None:
        """None if the host may be requested, else the error code (`refused_address`, `dns`)."""
        host = host.lower().strip("[]")
        if host in self._cache:
            return self._cache[host]
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host not in self._cache:
                self._cache[host] = await self._decide(host)
        return self._cache[host]

    async def _decide(self, host: str) -> str | None:
        literal = ip_literal(host)
        if literal is not None:
            return None if (is_public(str(literal)) or host in self._listed) else "refused_address"
        try:
            addresses = await asyncio.to_thread(self._resolver, host)
        except (OSError, UnicodeError) as e:
            log.warning("cannot resolve %s: %s", host, e)
            return "dns"
        if not addresses:
            return "dns"
        bad = [a for a in addresses if not is_public(a)]
        if not bad:
            return None
        if _is_localhost_name(host) and host in self._listed and \
                all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses):
            return None
        log.warning("refusing %s: resolves to non-public address %s", host, ", ".join(bad))
        return "refused_address"
