#!/usr/bin/env python3
"""Test application for kernel SMC sockets (AF_SMC = 43) or plain TCP.

smc_app.py server PORT [--tcp] [--once]
    Accepts connections; each client sends an 8-byte big-endian length and that many bytes; the
    server echoes them back as they arrive and prints one JSON line per connection (bytes,
    sha256 of what it received, its socket's SMC mode from smc_diag).
smc_app.py client HOST PORT BYTES [--tcp] [--seed N]
    Sends BYTES deterministic pseudo-random bytes, reads the echo, prints one JSON line
    (sha256 sent and echoed, SMC mode of its socket while the connection was up).
Mode comes from smc_diag (NETLINK_SOCK_DIAG, family AF_SMC): SMCR, FALLBACK or SMCD.
"""
import hashlib
import json
import random
import socket
import struct
import sys
import threading

AF_SMC = 43
NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
MODES = {0: "SMCR", 1: "FALLBACK", 2: "SMCD"}


def smc_modes():
    """{(local port, peer port): mode} of every SMC socket, from smc_diag."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    req = struct.pack("=BBBB", AF_SMC, 0, 0, 0) + b"\0" * 48
    s.send(struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY, 0x1 | 0x300, 1, 0) + req)
    out = {}
    done = False
    while not done:
        data = s.recv(65536)
        pos = 0
        while pos + 16 <= len(data):
            ln, typ = struct.unpack_from("=IH", data, pos)
            if typ in (2, 3):  # NLMSG_ERROR, NLMSG_DONE
                done = True
                break
            msg = data[pos + 16:pos + ln]
            mode = msg[2]
            sport, dport = struct.unpack_from(">HH", msg, 4)
            out[(sport, dport)] = MODES.get(mode, str(mode))
            pos += (ln + 3) & ~3
    s.close()
    return out


def mode_of(sock):
    try:
        lp = sock.getsockname()[1]
        pp = sock.getpeername()[1]
        return smc_modes().get((lp, pp), "unknown")
    except OSError as e:
        return "error: %s" % e


def new_socket(tcp):
    if tcp:
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Python's socket module does not know AF_SMC addresses; SMC takes sockaddr_in (protocol 0 =
    # SMCPROTO_SMC, IPv4), so the AF_SMC descriptor is wrapped as an AF_INET socket object.
    smc = socket.socket(AF_SMC, socket.SOCK_STREAM, 0)
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fileno=smc.detach())


def recv_exact(c, n):
    buf = bytearray()
    while len(buf) < n:
        b = c.recv(min(1 << 20, n - len(buf)))
        if not b:
            raise EOFError("peer closed after %d of %d bytes" % (len(buf), n))
        buf += b
    return bytes(buf)


def serve_one(c, tcp):
    with c:
        n = struct.unpack(">Q", recv_exact(c, 8))[0]
        h = hashlib.sha256()
        got = 0
        mode = None
        while got < n:
            b = c.recv(min(1 << 20, n - got))
            if not b:
                break
            if mode is None:
                mode = "TCP" if tcp else mode_of(c)
            h.update(b)
            got += len(b)
            c.sendall(b)
        if mode is None:
            mode = "TCP" if tcp else mode_of(c)
        print(json.dumps({"role": "server", "bytes": got, "sha256": h.hexdigest(), "mode": mode}), flush=True)


def server(port, tcp, once):
    s = new_socket(tcp)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    print(json.dumps({"role": "server", "listening": port, "tcp": tcp}), flush=True)
    while True:
        c, _ = s.accept()
        if once:
            serve_one(c, tcp)
            return
        threading.Thread(target=serve_one, args=(c, tcp), daemon=True).start()


def client(host, port, nbytes, tcp, seed):
    data = random.Random(seed).randbytes(nbytes)
    c = new_socket(tcp)
    c.settimeout(120)
    c.connect((host, port))
    mode = "TCP" if tcp else mode_of(c)
    result = {}

    def reader():
        try:
            result["echo"] = recv_exact(c, nbytes)
        except (OSError, EOFError) as e:
            result["error"] = str(e)

    t = threading.Thread(target=reader)
    t.start()
    c.sendall(struct.pack(">Q", nbytes) + data)
    t.join(150)
    echo = result.get("echo", b"")
    c.close()
    print(json.dumps({"role": "client", "bytes": nbytes, "mode": mode,
                      "sha256_sent": hashlib.sha256(data).hexdigest(),
                      "sha256_echo": hashlib.sha256(echo).hexdigest(), "echo_bytes": len(echo),
                      "error": result.get("error")}), flush=True)
    return 0 if echo == data else 1


def main(a):
    tcp = "--tcp" in a
    a = [x for x in a if x != "--tcp"]
    if len(a) >= 3 and a[1] == "server":
        server(int(a[2]), tcp, "--once" in a)
        return 0
    if len(a) >= 5 and a[1] == "client":
        seed = int(a[a.index("--seed") + 1]) if "--seed" in a else 7
        return client(a[2], int(a[3]), int(a[4]), tcp, seed)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
