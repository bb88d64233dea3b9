#!/usr/bin/env python3
"""Host side of the VM agent protocol (guest/agent.py): vmctl.py PORT ping | run [--timeout S] CMD"""
import socket
import sys


def request(port, header, body=b"", timeout=None):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.settimeout(timeout)
    s.sendall(header + b"\n" + body)
    s.shutdown(socket.SHUT_WR)
    chunks = []
    while True:
        c = s.recv(65536)
        if not c:
            break
        chunks.append(c)
    s.close()
    return b"".join(chunks)


def main(argv):
    port = int(argv[1])
    if argv[2] == "ping":
        r = request(port, b"ping", timeout=10)
        if r.strip() != b"pong":
            sys.exit(1)
        print("pong")
        return 0
    if argv[2] == "run":
        args = argv[3:]
        t = 120.0
        if args and args[0] == "--timeout":
            t = float(args[1])
            args = args[2:]
        r = request(port, b"run %d" % t, " ".join(args).encode(), timeout=t + 30)
        nl = r.index(b"\n")
        _, rc, olen, elen = r[:nl].split()
        rc, olen, elen = int(rc), int(olen), int(elen)
        sys.stdout.buffer.write(r[nl + 1:nl + 1 + olen])
        sys.stderr.buffer.write(r[nl + 1 + olen:nl + 1 + olen + elen])
        sys.stdout.flush()
        return rc
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError) as e:
        print("vmctl: %s" % e, file=sys.stderr)
        sys.exit(255)
