package io.smcj.engine;

import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.transport.rdma.GidEntry;
import io.smcj.transport.rdma.GidType;
import io.smcj.transport.rdma.Mtu;
import io.smcj.transport.rdma.PortAttributes;
import io.smcj.transport.rdma.PortState;
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.VerbsProvider;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * One opened RoCE device port the engine may use ({@code smc_ib_device} + port): its GID (the
 * RoCE v2 GID of its IPv4 address when it has one, else the first GID), MAC and active MTU.
 */
final class RdmaDevice {
    final VerbsContext ctx;
    final String name;
    final int port;
    final GidEntry gidEntry;
    final MacAddress mac;

    private RdmaDevice(VerbsContext ctx, int port, GidEntry gidEntry, MacAddress mac) {
        this.ctx = ctx;
        this.name = ctx.deviceName();
        this.port = port;
        this.gidEntry = gidEntry;
        this.mac = mac;
    }

    Gid gid() {
        return Gid.of(gidEntry.gid().bytes());
    }

    boolean isActive() {
        try {
            return ctx.queryPort(port).state() == PortState.ACTIVE;
        } catch (RuntimeException e) {
            return false;
        }
    }

    Mtu activeMtu() {
        return ctx.queryPort(port).activeMtu();
    }

    /** Opens the named devices (all of the provider's when the list is empty); ports without a GID are skipped. */
    static List<RdmaDevice> open(VerbsProvider provider, List<String> names) {
        List<RdmaDevice> out = new ArrayList<>();
        for (String n : names.isEmpty() ? provider.deviceNames() : names) {
            VerbsContext ctx = provider.openDevice(n);
            int ports = ctx.queryDevice().portCount();
            for (int p = 1; p <= ports; p++) {
                PortAttributes pa = ctx.queryPort(p);
                List<GidEntry> gids = ctx.queryGids(p);
                if (gids.isEmpty()) {
                    continue;
                }
                GidEntry chosen = gids.getFirst();
                for (GidEntry g : gids) {
                    if (g.type() == GidType.ROCE_V2 && g.ipAddress() instanceof Inet4Address) {
                        chosen = g;
                        break;
                    }
                }
                if (pa.state() != null) {
                    out.add(new RdmaDevice(ctx, p, chosen, MacAddress.of(ctx.macAddress(p))));
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name + ":" + port;
    }
}
