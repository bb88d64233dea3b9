package io.smcj.llc;

import io.smcj.protocol.Fields;

import java.util.Objects;

/**
 * TEST LINK (0x07 / v2 0x27), {@code struct smc_llc_msg_test_link}: keepalive; every request is
 * echoed with RESP ({@code smc_llc_rx_test_link()}).
 *
 * <pre>
 * 0  hdr
 * 4  user_data  16 (Linux sends zeros)
 * 20 reserved   24
 * </pre>
 */
public record TestLink(LlcHeader header, Octets userData, Octets reserved) implements LlcMessage {
    public static final int SIZE = 44;

    public TestLink {
        Objects.requireNonNull(header, "header");
        Octets.require(userData, 16, "user_data");
        Octets.require(reserved, 24, "reserved");
        Util.checkTotal(header, SIZE + header.trailer().length(), "TEST LINK");
    }

    public static TestLink of(LlcFraming framing, boolean response, Octets userData) {
        return new TestLink(LlcHeader.of(framing, response ? LlcFlags.RESP : 0), userData, Octets.zeros(24));
    }

    /** The echo Linux sends back: the same bytes with RESP set. */
    public TestLink response() {
        return withHeader(header.withFlags(header.flags() | LlcFlags.RESP));
    }

    @Override
    public LlcType type() {
        return LlcType.TEST_LINK;
    }

    @Override
    public TestLink withHeader(LlcHeader h) {
        return new TestLink(h, userData, reserved);
    }

    @Override
    public int encodedLength() {
        return SIZE + header.trailer().length();
    }

    @Override
    public Fields describe() {
        Fields f = Util.header(this);
        f.add("user_data", userData.hex(), 4);
        f.add("reserved", reserved.hex(), 20);
        Util.trailer(f, this, "trailer");
        return f;
    }
}
