"""`python -m dashboard.serve run dashboard/app.py …`: Streamlit's own command line, with Nagle's algorithm
off on the connections it accepts (scripts/serve.sh and the tests start the dashboard this way).

Streamlit 1.67 binds its listening socket itself, without IPPROTO_TCP
(`streamlit.web.server.starlette.starlette_server._bind_socket`), so asyncio never sets TCP_NODELAY on
an accepted connection — the bug uvicorn#3149 fixed in uvicorn 0.55 for the API. Every request on a
kept-alive connection after its first (HAProxy keeps them) waited ~40 ms for the peer's delayed ACK:
`curl` of /_stcore/health four times on one connection took 1, 42, 44, 44 ms. Set on the listening
socket, TCP_NODELAY is inherited by every connection it accepts (Linux). Drop this module when
Streamlit binds with IPPROTO_TCP (tests/test_nodelay.py).
"""
from __future__ import annotations

import socket
import sys

from streamlit.web.server.starlette import starlette_server

_bind = starlette_server._bind_socket


def _bind_without_nagle(address: str, port: int, backlog: int) -> socket.socket:
    sock = _bind(address, port, backlog)
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


starlette_server._bind_socket = _bind_without_nagle

if __name__ == "__main__":
    from streamlit.web.cli import main

    sys.exit(main(prog_name="streamlit"))
