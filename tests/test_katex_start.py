"""The build's KaTeX server start survives a server that binds its socket before listening."""

import sys
import types

import pytest

from w2s_lib.sitemeta import _patient_katex_start

#: A stand-in for KaTeX's Node server: binds the socket file, waits, then listens and
#: answers one line (what Node does, with the gap between bind and listen made long).
SERVER = r'''
import socket, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
time.sleep(0.4)
s.listen(1)
conn, _ = s.accept()
conn.sendall(b"ok")
conn.close()
'''


def _fake_katex(script, timeout_error=TimeoutError):
    class KaTeXServer:
        @classmethod
        def build_command(cls, socket=None, port=None):
            return [sys.executable, "-c", script, str(socket)]

        @classmethod
        def timeout_error(cls, timeout):
            return timeout_error(f"no server after {timeout} s")

        @classmethod
        def start_server_process(cls, rundir, timeout):  # the package's: one connect
            raise AssertionError("not patched")

    return types.SimpleNamespace(KaTeXServer=KaTeXServer)


def test_connect_is_retried_until_the_server_listens(tmp_path):
    katex = _fake_katex(SERVER)
    _patient_katex_start(katex)
    process, sock = katex.KaTeXServer.start_server_process(tmp_path, 10.0)
    try:
        assert sock.recv(2) == b"ok"
    finally:
        sock.close()
        process.wait(timeout=10)


def test_a_server_that_never_listens_times_out_with_the_packages_error(tmp_path):
    katex = _fake_katex(SERVER.replace("time.sleep(0.4)", "time.sleep(30)"))
    _patient_katex_start(katex)
    with pytest.raises(TimeoutError, match="after 0.5 s"):
        katex.KaTeXServer.start_server_process(tmp_path, 0.5)


def test_patching_twice_keeps_one_wrapper():
    katex = _fake_katex(SERVER)
    _patient_katex_start(katex)
    first = katex.KaTeXServer.start_server_process
    _patient_katex_start(katex)
    assert katex.KaTeXServer.start_server_process == first
