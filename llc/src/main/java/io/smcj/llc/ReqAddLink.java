package io.smcj.llc;

import io.smcj.protocol.Fields;
import io.smcj.protocol.Gid;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * REQ ADD LINK (v2 0x25), {@code struct smc_llc_msg_req_add_link_v2}: an SMC-Rv2 client asks the
 * server to start ADD LINK, listing its GIDs ({@code smc_llc_send_request_add_link()}: the link's own
 * GID first, then the alternate RoCEv2 GID from {@code smc_fill_gid_list()}; Linux sends nothing
 * when it has no alternate GID, so its requests carry exactly 2 GIDs, 60 bytes, flags 0). The server
 * reads only {@code gid[0]} (the peer address for the route lookup in {@code smc_llc_srv_add_link()}).
 * When the server does not get as far as sending ADD LINK it answers with
 * {@code smc_llc_send_req_add_link_response()}: the request with RESP added to its flags (0x80 for a
 * Linux request), {@code length_v2} 44 and the 40 body bytes zeroed. The v1 type 0x05 exists in the
 * type enum but Linux has no receive handler for it.
 *
 * <pre>
 * 0  hdr
 * 4  reserved   20
 * 24 gid_cnt    1
 * 25 reserved2  3
 * 28 gid[]      16 each
 * </pre>
 *
 * The sender's length is 28 + 16 * gid_cnt. Decoding reads min(gid_cnt, room) GIDs; the bytes
 * after them up to the length are the header's trailer (16 zero bytes in the server's response).
 */
public record ReqAddLink(LlcHeader header, Octets reserved, int gidCnt, Octets reserved2, List<Gid> gids)
        implements LlcMessage {
    public static final int FIXED = 28;

    public ReqAddLink {
        Objects.requireNonNull(header, "header");
        Octets.require(reserved, 20, "reserved");
        Util.u8(gidCnt, "gid_cnt");
        Octets.require(reserved2, 3, "reserved2");
        gids = Util.list(gids, -1, "gid");
        if (gids.size() > gidCnt) {
            throw new IllegalArgumentException("more GIDs (" + gids.size() + ") than gid_cnt " + gidCnt);
        }
        if (gids.size() < gidCnt && header.trailer().length() >= Gid.LENGTH) {
            throw new IllegalArgumentException("a trailer of 16+ bytes would decode as another GID");
        }
        Util.checkTotal(header, FIXED + Gid.LENGTH * gids.size() + header.trailer().length(), "REQ ADD LINK");
    }

    /**
     * A request laid out as Linux sends it (length 28 + 16 per GID, flags 0). Linux itself always
     * lists 2 GIDs; with one GID the message is 44 bytes, with none it is padded to 44 with zeros so
     * that receivers (which drop anything below 44) accept it.
     */
    public static ReqAddLink request(LlcFraming framing, List<Gid> gids) {
        int len = FIXED + Gid.LENGTH * gids.size();
        Octets pad = Octets.zeros(Math.max(0, LlcCodec.V1_LENGTH - len));
        return new ReqAddLink(new LlcHeader(framing, 0, 0, pad), Octets.zeros(20), gids.size(), Octets.zeros(3),
                gids);
    }

    /**
     * The server's "no ADD LINK" answer to a Linux request (flags 0): 44 bytes, flags RESP (0x80),
     * zeroed body ({@code smc_llc_send_req_add_link_response()}).
     */
    public static ReqAddLink response(LlcFraming framing) {
        return new ReqAddLink(new LlcHeader(framing, LlcFlags.RESP, 0, Octets.zeros(16)), Octets.zeros(20), 0,
                Octets.zeros(3), List.of());
    }

    /**
     * The server's "no ADD LINK" answer to this request, as {@code smc_llc_send_req_add_link_response()}
     * builds it: this request's flags plus RESP, length 44, the 40 body bytes zeroed.
     */
    public ReqAddLink response() {
        return new ReqAddLink(new LlcHeader(framing(), header.flags() | LlcFlags.RESP, 0, Octets.zeros(16)),
                Octets.zeros(20), 0, Octets.zeros(3), List.of());
    }

    @Override
    public LlcType type() {
        return LlcType.REQ_ADD_LINK;
    }

    @Override
    public ReqAddLink withHeader(LlcHeader h) {
        return new ReqAddLink(h, reserved, gidCnt, reserved2, gids);
    }

    @Override
    public int encodedLength() {
        return FIXED + Gid.LENGTH * gids.size() + header.trailer().length();
    }

    @Override
    public Fields describe() {
        Fields f = Util.header(this);
        f.add("reserved", reserved.hex(), 4);
        f.add("gid_cnt", gidCnt, 24, gids.size() == gidCnt ? null : gids.size() + " GIDs present in the message");
        f.add("reserved2", reserved2.hex(), 25);
        List<Object> l = new ArrayList<>();
        for (Gid g : gids) {
            l.add(g.toString());
        }
        f.add("gid", l, FIXED);
        Util.trailer(f, this, encodedLength() == LlcCodec.V1_LENGTH ? "unused" : "trailer");
        return f;
    }
}
