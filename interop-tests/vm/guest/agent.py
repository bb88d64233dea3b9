#!/usr/bin/env python3
"""Command agent of a smcj test VM (listens on the control NIC, reached through a QEMU hostfwd).

One request per TCP connection. The client sends a header line, then the command text, then
half-closes. Header "ping": answer "pong". Header "run TIMEOUT": run the text with /bin/sh, answer
"rc RC OUTLEN ERRLEN\n" followed by OUTLEN bytes of stdout and ERRLEN bytes of stderr. On timeout
the command's process group is killed and RC is 124. Background processes must redirect their
output (or use setsid ... >log 2>&1 &) so the command's pipes close.
"""
import os
import signal
import socketserver
import subprocess

ADDR = ("10.0.2.15", 7000)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        header = self.rfile.readline().decode("ascii", "replace").split()
        body = self.rfile.read()
        if not header or header[0] == "ping":
            self.wfile.write(b"pong\n")
            return
        if header[0] != "run":
            self.wfile.write(b"rc 2 0 13\nbad request\n\n")
            return
        timeout = float(header[1]) if len(header) > 1 else 120.0
        p = subprocess.Popen(["/bin/sh", "-c", body.decode("utf-8", "replace")], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = p.communicate(timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                out, err = p.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                out, err = b"", b""
            err += b"\nsmcj-agent: timeout after %.0f s, process group killed\n" % timeout
            rc = 124
        if rc < 0:
            rc = 128 - rc
        self.wfile.write(b"rc %d %d %d\n" % (rc, len(out), len(err)) + out + err)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    with Server(ADDR, Handler) as s:
        s.serve_forever()
