"""Nagle's algorithm is off on every connection the dashboard and the API accept. Left on, each request
on a kept-alive connection after its first waited ~40 ms for the peer's delayed ACK (HAProxy keeps its
connections to both; a terminal keeps its own): a GPS fix took 46 ms instead of 4, a page rerun 72 ms
instead of 24. The tests look at the socket option itself, not at a clock."""
from __future__ import annotations

import socket

import uvicorn


def accepted(listener: socket.socket) -> socket.socket:
    client = socket.create_connection(listener.getsockname()[:2])
    conn, _ = listener.accept()
    client.close()
    return conn


def test_the_dashboards_listener_hands_out_connections_without_nagle():
    from streamlit.web.server.starlette import starlette_server

    from dashboard.serve import _bind_without_nagle

    assert starlette_server._bind_socket is _bind_without_nagle      # what `python -m dashboard.serve run` binds with
    listener = _bind_without_nagle("127.0.0.1", 0, 8)
    listener.setblocking(True)
    try:
        conn = accepted(listener)
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        conn.close()
    finally:
        listener.close()


def test_the_apis_listener_is_tcp_so_asyncio_turns_nagle_off():
    """uvicorn ≥ 0.55 binds with IPPROTO_TCP (uvicorn#3149); asyncio sets TCP_NODELAY only on such sockets."""
    sock = uvicorn.Config(app="api.app:app", host="127.0.0.1", port=0).bind_socket()
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
