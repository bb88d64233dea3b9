package io.smcj.clc;

import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import io.smcj.protocol.SmcType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random valid CLC messages (valid = Linux accepts them), covering reserved bits and odd headers. */
final class ClcGen {
    private ClcGen() {
    }

    static RawBytes raw(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return RawBytes.of(b);
    }

    static Eyecatcher eye(Random r) {
        return r.nextBoolean() ? Eyecatcher.SMCR : Eyecatcher.SMCD;
    }

    static PeerId peer(Random r) {
        return PeerId.of(raw(r, 8).bytes());
    }

    static Gid gid(Random r) {
        return Gid.of(raw(r, 16).bytes());
    }

    static MacAddress mac(Random r) {
        return MacAddress.of(raw(r, 6).bytes());
    }

    static int v2Version(Random r) {
        return 2 + r.nextInt(14);
    }

    static ClcProposal.IpPrefix prefix(Random r) {
        List<ClcProposal.Ipv6Prefix> v6 = new ArrayList<>();
        int n = r.nextInt(9);
        for (int i = 0; i < n; i++) {
            v6.add(new ClcProposal.Ipv6Prefix(raw(r, 16), r.nextInt(256)));
        }
        return new ClcProposal.IpPrefix(r.nextInt(), r.nextInt(256), r.nextInt(0x10000), v6);
    }

    static ClcProposal.SmcdArea smcd(Random r) {
        return new ClcProposal.SmcdArea(r.nextLong(), r.nextInt(0x10000), r.nextInt(0x10000), raw(r, 3), raw(r, 5),
                raw(r, 20));
    }

    static ClcProposal proposal(Random r) {
        if (r.nextInt(4) == 0) {
            // v1: classic (iparea_offset 0), SMC-D area (40), or any gap in between
            int ipo = switch (r.nextInt(3)) {
                case 0 -> 0;
                case 1 -> 40;
                default -> 1 + r.nextInt(39);
            };
            ClcHeader h0 = new ClcHeader(eye(r), ClcType.PROPOSAL, 8, 1, r.nextInt(4), List.of(0, 1, 3).get(r.nextInt(3)));
            ClcProposal.IpPrefix p = prefix(r);
            ClcHeader h = h0.withLength(40 + ipo + p.wireLength() + 4);
            return new ClcProposal(h, peer(r), gid(r), mac(r), ipo, ipo == 40 || ipo == 0 ? RawBytes.zeros(0)
                    : raw(r, ipo), ipo == 40 ? smcd(r) : null, p, null, null, eye(r));
        }
        int typev1 = r.nextInt(4);
        int typev2 = r.nextInt(4);
        ClcProposal.SmcdArea smcd = smcd(r);
        if (typev1 == SmcType.N.wire()) {
            // Linux: iparea_offset 0 puts the (unused) prefix count on the last ISM GID byte, which must be <= 8
            smcd = new ClcProposal.SmcdArea(smcd.ismGid() & ~0xFFL | r.nextInt(9), smcd.ismChid(), smcd.v2ExtOffset(),
                    smcd.vendorOui(), smcd.vendorExpOptions(), smcd.reserved());
        }
        List<RawBytes> eids = new ArrayList<>();
        int e = r.nextInt(9);
        for (int i = 0; i < e; i++) {
            eids.add(raw(r, 32));
        }
        ClcProposal.V2Extension v2 = new ClcProposal.V2Extension(r.nextInt(256), r.nextInt(256), r.nextInt(256),
                r.nextInt(0x10000), r.nextInt(0x10000), gid(r), r.nextInt(256), r.nextInt(256), r.nextInt(0x10000),
                raw(r, 12), eids);
        List<ClcProposal.GidChid> gc = new ArrayList<>();
        int g = r.nextInt(9);
        for (int i = 0; i < g; i++) {
            gc.add(new ClcProposal.GidChid(r.nextLong(), r.nextInt(0x10000)));
        }
        ClcProposal.SmcdV2Extension d2 = new ClcProposal.SmcdV2Extension(raw(r, 32), raw(r, 16), gc);
        ClcProposal l = ClcProposal.linux(typev1, typev2, peer(r), gid(r), mac(r), smcd, prefix(r), v2, d2);
        ClcHeader h = new ClcHeader(eye(r), ClcType.PROPOSAL, l.length(), v2Version(r), typev2, typev1);
        return new ClcProposal(h, l.peerId(), l.gid(), l.mac(), l.ipareaOffset(), l.ipareaGap(), l.smcd(), l.prefix(),
                l.v2Extension(), l.smcdV2Extension(), eye(r));
    }

    static ClcAcceptConfirm acceptConfirm(Random r) {
        ClcType type = r.nextBoolean() ? ClcType.ACCEPT : ClcType.CONFIRM;
        boolean v2 = r.nextInt(3) != 0;
        int typev2 = r.nextInt(4);
        boolean fc = (typev2 & ClcHeader.FIRST_CONTACT_MASK) != 0;
        RawBytes eid = null;
        RawBytes res6 = null;
        ClcAcceptConfirm.FirstContactExt fce = null;
        ClcAcceptConfirm.GidListExt gl = null;
        RawBytes extra = RawBytes.zeros(0);
        int len = 68;
        if (v2) {
            eid = raw(r, 32);
            res6 = raw(r, 8);
            int maxExtra = 24;
            if (fc) {
                ClcAcceptConfirm.V2x x = r.nextInt(4) == 0 ? null
                        : new ClcAcceptConfirm.V2x(r.nextInt(256), r.nextInt(256), r.nextInt(0x10000), r.nextInt(), raw(r, 8));
                fce = new ClcAcceptConfirm.FirstContactExt(r.nextInt(256), r.nextInt(256), r.nextInt(0x10000),
                        raw(r, 32), x);
                if (x == null) {
                    maxExtra = 15;
                } else if (type == ClcType.CONFIRM) {
                    if (r.nextInt(4) != 0) {
                        List<Gid> gids = new ArrayList<>();
                        int n = r.nextInt(4);
                        for (int i = 0; i < n; i++) {
                            gids.add(gid(r));
                        }
                        gl = new ClcAcceptConfirm.GidListExt(raw(r, 3), gids);
                    } else {
                        maxExtra = 3;
                    }
                }
            }
            extra = r.nextInt(3) == 0 ? raw(r, r.nextInt(maxExtra + 1)) : RawBytes.zeros(0);
            len = 108 + (fce == null ? 0 : fce.wireLength()) + (gl == null ? 0 : gl.wireLength()) + extra.length();
        }
        ClcHeader h = new ClcHeader(eye(r), type, len, v2 ? v2Version(r) : 1, typev2, 0);
        RawBytes trl = ClcAcceptConfirm.trailerChecked(h) ? RawBytes.of(ClcAcceptConfirm.intBytes(eye(r).value()))
                : raw(r, 4);
        return new ClcAcceptConfirm(h, peer(r), gid(r), mac(r), r.nextInt(0x1000000), r.nextInt(), r.nextInt(256),
                r.nextInt(), r.nextInt(16), r.nextInt(16), r.nextInt(256), r.nextLong(), r.nextInt(256),
                r.nextInt(0x1000000), eid, res6, fce, gl, extra, trl);
    }

    static ClcSmcdAcceptConfirm smcdAcceptConfirm(Random r) {
        boolean v2 = r.nextBoolean();
        int body = v2 ? 66 + r.nextInt(60) : 36;
        ClcHeader h = new ClcHeader(eye(r), r.nextBoolean() ? ClcType.ACCEPT : ClcType.CONFIRM, 8 + body + 4,
                v2 ? v2Version(r) : 1, r.nextInt(4), 1);
        return new ClcSmcdAcceptConfirm(h, raw(r, body), RawBytes.of(ClcAcceptConfirm.intBytes(eye(r).value())));
    }

    static ClcDecline decline(Random r) {
        boolean v2 = r.nextBoolean();
        ClcHeader h = new ClcHeader(eye(r), ClcType.DECLINE, v2 ? 44 : 28, v2 ? v2Version(r) : 1, r.nextInt(4),
                r.nextInt(4));
        return new ClcDecline(h, peer(r), r.nextInt(), r.nextInt(256), raw(r, 3),
                v2 ? List.of(r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt()) : List.of(), raw(r, 4));
    }

    static ClcMessage any(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> proposal(r);
            case 1 -> acceptConfirm(r);
            case 2 -> smcdAcceptConfirm(r);
            default -> decline(r);
        };
    }
}
