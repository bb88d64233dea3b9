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
 * {@link #forGid} gives the same port with another GID of its table (the GID the kernel's
 * {@code smc_ib_determine_gid} chose for a connection's version and source address); such a
 * variant shares the port (and its protection domain, {@link #base}) and is the same object for the
 * same GID, so link groups compare devices by identity.
 */
final class RdmaDevice {
    final VerbsContext ctx;
    final String name;
    final int port;
    final GidEntry gidEntry;
    final MacAddress mac;
    /** The port as opened (this object, or the one a {@link #forGid} variant came from). */
    final RdmaDevice base;
    private final java.util.Map<Integer, RdmaDevice> byGidIndex;

    private RdmaDevice(VerbsContext ctx, int port, GidEntry gidEntry, MacAddress mac, RdmaDevice base) {
        this.ctx = ctx;
        this.name = ctx.deviceName();
        this.port = port;
        this.gidEntry = gidEntry;
        this.mac = mac;
        this.base = base == null ? this : base;
        this.byGidIndex = base == null ? new java.util.concurrent.ConcurrentHashMap<>() : base.byGidIndex;
        if (base == null) {
            byGidIndex.put(gidEntry.index(), this);
        }
    }

    /** This port with GID table entry {@code g} (the same object for the same entry). */
    RdmaDevice forGid(GidEntry g) {
        return byGidIndex.computeIfAbsent(g.index(), i -> new RdmaDevice(ctx, port, g, mac, base));
    }

    /** The net device of the port ({@code ib_device_get_netdev}), or null. */
    String netdev() {
        try {
            return ctx.netdev(port);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The port's GID table (populated entries). */
    List<GidEntry> gids() {
        try {
            return ctx.queryGids(port);
        } catch (RuntimeException e) {
            return List.of();
        }
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
                    out.add(new RdmaDevice(ctx, p, chosen, MacAddress.of(ctx.macAddress(p)), null));
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
