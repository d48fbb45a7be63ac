#!/usr/bin/env python
"""Health check of the web container: GET /healthz/ from this container's gunicorn.

It sends a Host header that ALLOWED_HOSTS accepts and `X-Forwarded-Proto: https` (trusted through
SECURE_PROXY_SSL_HEADER), so neither the host check nor SECURE_SSL_REDIRECT turns the probe into a
400 or a redirect. Exit 0 when the answer is 200 "ok", 1 otherwise. Standard library only.
"""

import http.client
import os
import sys


def probe_host(allowed_hosts: str) -> str:
    """The first host that Django's ALLOWED_HOSTS check lets through ("*" allows any)."""
    for host in allowed_hosts.split(","):
        host = host.strip()
        if host and host != "*":
            # ".example.org" allows example.org itself and every subdomain.
            return host.lstrip(".")
    return "localhost"


def probe(*, address: str, port: int, allowed_hosts: str, timeout: float = 5.0) -> tuple[bool, str]:
    """(healthy, why). No redirects are followed: anything but 200 "ok" is unhealthy."""
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.request(
            "GET",
            "/healthz/",
            headers={"Host": probe_host(allowed_hosts), "X-Forwarded-Proto": "https"},
        )
        response = connection.getresponse()
        body = response.read(200).decode("utf-8", "replace").strip()
    except OSError as exc:
        return False, f"no answer from {address}:{port}: {exc}"
    finally:
        connection.close()
    if response.status == 200 and body == "ok":
        return True, "ok"
    return False, f"HTTP {response.status}: {body}"


def main() -> int:
    healthy, why = probe(
        address=os.environ.get("HEALTHCHECK_ADDRESS", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        # Unset ALLOWED_HOSTS means the settings default, which starts with 127.0.0.1.
        allowed_hosts=os.environ.get("ALLOWED_HOSTS", "127.0.0.1"),
    )
    print(why)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
