package io.smcj.transport.rdma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class VerbsGidPropertyTest {

    @Property
    void gidBytesRoundTrip(@ForAll @Size(16) byte[] raw) {
        VerbsGid g = VerbsGid.of(raw);
        assertArrayEquals(raw, g.bytes());
        assertEquals(g, VerbsGid.of(g.bytes()));
    }
}
