#!/usr/bin/env python3
"""User EID table of the kernel's SMC module over generic netlink (Debian has no smc-tools).

smc_ueid.py add EID | remove EID | flush | show
Numbers from include/uapi/linux/smc.h: family "SMC_GEN_NETLINK", SMC_NETLINK_DUMP_UEID 9,
ADD_UEID 10, REMOVE_UEID 11, FLUSH_UEID 12; attribute SMC_NLA_EID_TABLE_ENTRY 1, a string of
exactly SMC_MAX_EID_LEN (32) characters plus NUL (smc_nl_add_ueid rejects any other length), so
the EID is padded with blanks. EIDs: upper-case letters, digits, '.', '-'.
"""
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
CMD = {"show": 9, "add": 10, "remove": 11, "flush": 12}
SMC_NLA_EID_TABLE_ENTRY = 1
SMC_MAX_EID_LEN = 32


def attr(kind, data):
    a = struct.pack("=HH", 4 + len(data), kind) + data
    return a + b"\0" * ((4 - len(a) % 4) % 4)


def attrs(buf):
    out, pos = {}, 0
    while pos + 4 <= len(buf):
        ln, kind = struct.unpack_from("=HH", buf, pos)
        if ln < 4:
            break
        out.setdefault(kind & 0x3FFF, []).append(buf[pos + 4:pos + ln])
        pos += (ln + 3) & ~3
    return out


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.bind((0, 0))
        self.seq = 0

    def request(self, family, cmd, payload=b"", flags=NLM_F_REQUEST | NLM_F_ACK):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        self.s.send(struct.pack("=IHHII", 16 + len(body), family, flags, self.seq, 0) + body)
        replies = []
        while True:
            data = self.s.recv(65536)
            pos = 0
            while pos + 16 <= len(data):
                ln, typ, _, _, _ = struct.unpack_from("=IHHII", data, pos)
                msg = data[pos + 16:pos + ln]
                pos += (ln + 3) & ~3
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", msg)[0]
                    if err:
                        raise OSError(-err, os.strerror(-err))
                    return replies
                if typ == NLMSG_DONE:
                    return replies
                replies.append(attrs(msg[4:]))
            if not flags & (NLM_F_ACK | NLM_F_DUMP):
                return replies

    def family(self, name):
        r = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        return struct.unpack("=H", r[0][CTRL_ATTR_FAMILY_ID][0][:2])[0]


def main(argv):
    if len(argv) < 2 or argv[1] not in CMD:
        print(__doc__, file=sys.stderr)
        return 2
    op = argv[1]
    g = Genl()
    fam = g.family("SMC_GEN_NETLINK")
    if op in ("add", "remove"):
        eid = argv[2].encode("ascii")
        if len(eid) > SMC_MAX_EID_LEN:
            print("EID longer than 32", file=sys.stderr)
            return 2
        entry = eid.ljust(SMC_MAX_EID_LEN, b" ") + b"\0"
        g.request(fam, CMD[op], attr(SMC_NLA_EID_TABLE_ENTRY, entry))
    elif op == "flush":
        g.request(fam, CMD[op])
    else:
        for a in g.request(fam, CMD[op], flags=NLM_F_REQUEST | NLM_F_DUMP):
            for v in a.get(SMC_NLA_EID_TABLE_ENTRY, []):
                print(v.rstrip(b"\0").decode("ascii", "replace").rstrip())
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except OSError as e:
        print("smc_ueid: %s" % e, file=sys.stderr)
        sys.exit(1)
