package io.smcj.llc;

import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.Psn;
import io.smcj.protocol.Qpn;
import io.smcj.protocol.Rkey;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random valid LLC messages of one type, biased towards what Linux sends, for the jqwik properties. */
final class LlcGen {
    private LlcGen() {
    }

    static LlcMessage random(Random r, LlcType type) {
        LlcFraming fr = LlcFraming.values()[r.nextInt(3)];
        return switch (type) {
            case CONFIRM_LINK -> new ConfirmLink(header(r, fr, 0), mac(r), gid(r), new Qpn(r.nextInt(Qpn.MAX + 1)),
                    u8(r), r.nextInt(), u8(r), u8(r), octets(r, 8));
            case ADD_LINK -> addLink(r, fr);
            case ADD_LINK_CONT -> new AddLinkCont(header(r, fr, 0), u8(r), u8(r), octets(r, 2),
                    List.of(pair(r), pair(r)), octets(r, 4));
            case DELETE_LINK -> new DeleteLink(header(r, fr, 0), u8(r), r.nextBoolean()
                    ? LlcDeleteReason.values()[r.nextInt(LlcDeleteReason.values().length)].code()
                    : r.nextInt() & 0xffffffffL, octets(r, 35));
            case REQ_ADD_LINK -> reqAddLink(r, fr);
            case CONFIRM_RKEY -> new ConfirmRkey(header(r, fr, 0), u8(r), new Rkey(r.nextInt()), r.nextLong(),
                    List.of(rtoken(r), rtoken(r)), u8(r));
            case TEST_LINK -> new TestLink(header(r, fr, 0), octets(r, 16), octets(r, 24));
            case CONFIRM_RKEY_CONT -> new ConfirmRkeyCont(header(r, fr, 0), u8(r),
                    List.of(rtoken(r), rtoken(r), rtoken(r)));
            case DELETE_RKEY -> deleteRkey(r, fr);
        };
    }

    static int u8(Random r) {
        return r.nextInt(4) == 0 ? 0 : r.nextInt(256);
    }

    /** Flags: mostly the kernel's, sometimes any byte. */
    static int flags(Random r) {
        int[] common = {0x00, 0x80, 0x03, 0x83, 0xc0, 0x40, 0x60, 0xe0, 0x20, 0xa0, 0xb0};
        return r.nextInt(3) == 0 ? r.nextInt(256) : common[r.nextInt(common.length)];
    }

    /** A header; v2 fixed types get a trailer of {@code maxTrailer} (or a random small one). */
    static LlcHeader header(Random r, LlcFraming fr, int trailer) {
        int byte2 = fr.isV2() ? 0 : (r.nextInt(3) == 0 ? r.nextInt(256) : 0);
        int t = trailer;
        if (fr.isV2() && trailer == 0 && r.nextInt(5) == 0) {
            t = r.nextInt(8) == 0 ? r.nextInt(600) : 1 + r.nextInt(40);
        }
        return new LlcHeader(fr, flags(r), byte2, octets(r, t));
    }

    static Octets octets(Random r, int n) {
        byte[] b = new byte[n];
        if (r.nextInt(3) != 0) {
            r.nextBytes(b);
        }
        return Octets.of(b);
    }

    static MacAddress mac(Random r) {
        byte[] b = new byte[6];
        r.nextBytes(b);
        return MacAddress.of(b);
    }

    static Gid gid(Random r) {
        byte[] b = new byte[16];
        r.nextBytes(b);
        return Gid.of(b);
    }

    static RkeyPair pair(Random r) {
        return new RkeyPair(new Rkey(r.nextInt()), new Rkey(r.nextInt()), r.nextLong());
    }

    static Rtoken rtoken(Random r) {
        return new Rtoken(u8(r), new Rkey(r.nextInt()), r.nextLong());
    }

    static AddLink addLink(Random r, LlcFraming fr) {
        AddLinkV2Ext ext = null;
        int trailer = 0;
        if (fr.isV2()) {
            if (r.nextInt(3) == 0) {
                trailer = r.nextInt(4) == 0 ? r.nextInt(28) : 0;
            } else {
                int k = r.nextInt(10) == 0 ? r.nextInt(500) : r.nextInt(4);
                int num = r.nextInt(4) == 0 ? k + r.nextInt(70000 - k) : k;
                num = Math.min(num, 0xffff);
                List<RkeyPair> pairs = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    pairs.add(pair(r));
                }
                ext = new AddLinkV2Ext(r.nextBoolean(), r.nextInt(3) == 0 ? r.nextInt(128) : 0, u8(r), gid(r),
                        octets(r, 8), num, pairs);
                int room = 8192 - 44 - ext.encodedLength();
                trailer = r.nextInt(4) == 0 ? Math.min(room, k < num ? r.nextInt(16) : r.nextInt(40)) : 0;
            }
        }
        LlcHeader h = header(r, fr, 0).withFraming(fr);
        h = new LlcHeader(fr, h.flags(), h.v1Byte2(), octets(r, trailer));
        return new AddLink(h, mac(r), octets(r, 2), gid(r), new Qpn(r.nextInt(Qpn.MAX + 1)), u8(r), r.nextInt(16),
                r.nextInt(4) == 0 ? r.nextInt(16) : 0, new Psn(r.nextInt(Psn.MAX + 1)), octets(r, 8), ext);
    }

    static ReqAddLink reqAddLink(Random r, LlcFraming fr) {
        int k;
        int cnt;
        int t;
        if (!fr.isV2()) {
            k = r.nextInt(2);
            cnt = k == 0 ? 0 : 1 + (r.nextInt(3) == 0 ? r.nextInt(255) : 0);
            t = 16 - 16 * k;
        } else {
            k = r.nextInt(6) == 0 ? 0 : 1 + r.nextInt(r.nextInt(8) == 0 ? 254 : 8);
            if (k == 0) {
                cnt = 0;
                t = 16 + r.nextInt(30);
            } else {
                cnt = r.nextInt(4) == 0 ? k + r.nextInt(256 - k) : k;
                t = k < cnt ? r.nextInt(16) : r.nextInt(4) == 0 ? r.nextInt(40) : 0;
            }
        }
        List<Gid> gids = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            gids.add(gid(r));
        }
        return new ReqAddLink(new LlcHeader(fr, flags(r), fr.isV2() ? 0 : u8(r), octets(r, t)), octets(r, 20), cnt,
                octets(r, 3), gids);
    }

    static DeleteRkey deleteRkey(Random r, LlcFraming fr) {
        int n;
        int t;
        if (!fr.isV2() || r.nextBoolean()) {
            n = 8;
            t = 4;
        } else {
            n = 9 + r.nextInt(r.nextInt(8) == 0 ? 2000 : 60);
            t = r.nextInt(4);
            if (n == 9 && t == 0) {
                t = 1;
            }
        }
        List<Rkey> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(new Rkey(r.nextInt(3) == 0 ? 0 : r.nextInt()));
        }
        return new DeleteRkey(new LlcHeader(fr, flags(r), fr.isV2() ? 0 : u8(r), octets(r, t)), u8(r), u8(r),
                octets(r, 2), keys);
    }
}
