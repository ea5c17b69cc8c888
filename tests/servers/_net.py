"""
Loopback socket helpers shared by every test server.

Servers listen on 127.0.0.1 *and* ::1 with the same port, so a client that resolves
`localhost` to either family (some resolvers prefer ::1) reaches the same server.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Callable

__all__ = ["bind_loopback", "is_loopback_host", "make_url_host"]

# How many times we retry when ::1 happens to have the port 127.0.0.1 got; bounded on purpose.
_DUAL_STACK_ATTEMPTS = 20


def _ipv6_unavailable(exc: OSError) -> bool:
    return exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT)


def _bind(sock: socket.socket, host: str, port: int) -> socket.socket:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this on Linux. Without it, servers that write a response head
    # and body separately hit Nagle + delayed ACK: ~40 ms per keep-alive request.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if sock.family == socket.AF_INET6:
        # Without V6ONLY the ::1 socket would not conflict with 127.0.0.1 anyway, but be explicit.
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((host, port))
    return sock


def bind_loopback(
    *,
    ipv6: bool = True,
    socket_factory: Callable[[socket.AddressFamily], socket.socket] | None = None,
) -> list[socket.socket]:
    """
    Bind (not listen) TCP sockets on 127.0.0.1 and, when available, ::1 with one shared port.

    Returns the bound sockets; the first is always the IPv4 one.
    """
    factory = socket_factory or (lambda family: socket.socket(family, socket.SOCK_STREAM))
    last_error: OSError | None = None
    for _ in range(_DUAL_STACK_ATTEMPTS):
        v4 = _bind(factory(socket.AF_INET), "127.0.0.1", 0)
        if not ipv6:
            return [v4]
        port = v4.getsockname()[1]
        v6 = factory(socket.AF_INET6)
        try:
            _bind(v6, "::1", port)
        except OSError as exc:
            v6.close()
            if _ipv6_unavailable(exc):
                return [v4]  # no IPv6 loopback on this machine: IPv4 only
            v4.close()
            last_error = exc  # port taken on ::1: try another port
            continue
        return [v4, v6]
    raise RuntimeError(f"could not bind a dual-stack loopback port: {last_error}")


def is_loopback_host(host: str) -> bool:
    """
    True for loopback IP literals and `localhost` names (a safety check for proxies).

    Names are never resolved: a DNS lookup of an arbitrary name must not leave the machine.
    """
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_url_host(host: str) -> str:
    """Bracket IPv6 literals for use in a URL authority."""
    return f"[{host}]" if ":" in host else host
