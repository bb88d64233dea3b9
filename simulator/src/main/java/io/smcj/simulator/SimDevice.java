package io.smcj.simulator;

import io.smcj.transport.rdma.AccessFlags;
import io.smcj.transport.rdma.AsyncEvent;
import io.smcj.transport.rdma.AsyncEventType;
import io.smcj.transport.rdma.CompletionQueue;
import io.smcj.transport.rdma.DeviceAttributes;
import io.smcj.transport.rdma.GidEntry;
import io.smcj.transport.rdma.GidType;
import io.smcj.transport.rdma.MemoryRegion;
import io.smcj.transport.rdma.Mtu;
import io.smcj.transport.rdma.PortAttributes;
import io.smcj.transport.rdma.PortState;
import io.smcj.transport.rdma.ProtectionDomain;
import io.smcj.transport.rdma.QpInitAttributes;
import io.smcj.transport.rdma.QueuePair;
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.VerbsException;
import io.smcj.transport.rdma.VerbsException.Errno;
import io.smcj.transport.rdma.VerbsGid;
import io.smcj.transport.rdma.WorkCompletion;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;

/** State of one simulated device, with its ports, MRs, QPs and CQs. Guarded by the fabric lock. */
final class SimDevice {

    static final int MAX_QP_WR = 32_768;
    static final int MAX_SGE = 30;
    static final int MAX_CQE = 4_194_303;
    static final long MAX_MR_SIZE = 1L << 40;
    static final int MAX_INLINE = 256;
    static final long PAGE = 4096;

    final SimFabric fabric;
    final SimDeviceConfig config;
    final int index;
    final List<Port> ports = new ArrayList<>();
    final Map<Integer, Mr> mrsByKey = new HashMap<>();
    final Map<Integer, SimQp> qps = new LinkedHashMap<>();
    final List<Context> contexts = new ArrayList<>();
    final SimCounters.Mutable counters = new SimCounters.Mutable();
    boolean crashed;
    private int nextQpn = 0x100;
    private int nextKey = 1;

    SimDevice(SimFabric fabric, SimDeviceConfig config, int index) {
        this.fabric = fabric;
        this.config = config;
        this.index = index;
        int n = 1;
        for (SimPortConfig pc : config.ports()) {
            ports.add(new Port(this, n++, pc));
        }
    }

    String name() {
        return config.name();
    }

    Port port(int num) {
        if (num < 1 || num > ports.size()) {
            throw new VerbsException(Errno.EINVAL, name() + " has no port " + num);
        }
        return ports.get(num - 1);
    }

    Context open() {
        Context c = new Context();
        contexts.add(c);
        return c;
    }

    int allocQpn() {
        return nextQpn++ & 0xffffff;
    }

    int allocKey() {
        // index in the upper 24 bits, a device-specific variant byte below (as mlx5 does)
        return (nextKey++ << 8) | ((index * 37 + 0x11) & 0xff);
    }

    void raise(AsyncEvent e) {
        fabric.trace(TraceEvent.Kind.ASYNC, name(), e.qpNum(), 0, e.toString());
        for (Context c : contexts) {
            c.events.add(e);
            c.eventCond.signalAll();
        }
    }

    void crash() {
        crashed = true;
        for (SimQp q : new ArrayList<>(qps.values())) {
            q.vanish();
        }
        for (Context c : contexts) {
            c.events.clear();
        }
    }

    void checkAlive() {
        if (crashed) {
            throw new VerbsException(Errno.ENODEV, "device " + name() + " crashed");
        }
    }

    void lock() {
        fabric.lock.lock();
    }

    void unlock() {
        fabric.lock.unlock();
    }

    boolean awaitCondition(Condition cond, Duration timeout, java.util.function.BooleanSupplier ready)
            throws InterruptedException {
        return fabric.scheduler().await(cond, timeout, ready);
    }

    // ---------------------------------------------------------------- port

    static final class Port {
        final SimDevice device;
        final int num;
        final SimPortConfig config;
        final List<GidEntry> gids = new ArrayList<>();
        final Mtu activeMtu;
        PortState state = PortState.ACTIVE;
        long delayNanos;
        boolean dropping;

        Port(SimDevice device, int num, SimPortConfig config) {
            this.device = device;
            this.num = num;
            this.config = config;
            this.activeMtu = Mtu.forEthernetMtu(config.ethMtu());
            VerbsGid linkLocal = VerbsGid.fromMac(config.mac());
            gids.add(new GidEntry(0, linkLocal, GidType.ROCE_V1, null, config.netdev()));
            gids.add(new GidEntry(1, linkLocal, GidType.ROCE_V2, null, config.netdev()));
            int i = 2;
            for (InetAddress ip : config.ips()) {
                VerbsGid g = VerbsGid.fromIp(ip);
                gids.add(new GidEntry(i++, g, GidType.ROCE_V1, ip, config.netdev()));
                gids.add(new GidEntry(i++, g, GidType.ROCE_V2, ip, config.netdev()));
            }
        }

        /** Packets pass this port. */
        boolean passes() {
            return state == PortState.ACTIVE && !dropping && !device.crashed;
        }
    }

    // ---------------------------------------------------------------- context

    final class Context implements VerbsContext {
        final ArrayDeque<AsyncEvent> events = new ArrayDeque<>();
        final Condition eventCond = fabric.lock.newCondition();
        boolean closed;

        SimDevice device() {
            return SimDevice.this;
        }

        @Override
        public String deviceName() {
            return name();
        }

        @Override
        public DeviceAttributes queryDevice() {
            return new DeviceAttributes(MAX_QP_WR, MAX_SGE, MAX_CQE, MAX_MR_SIZE, MAX_INLINE, ports.size());
        }

        @Override
        public PortAttributes queryPort(int portNum) {
            lock();
            try {
                Port p = port(portNum);
                return new PortAttributes(p.state, p.activeMtu, Mtu.MTU_4096, 256);
            } finally {
                unlock();
            }
        }

        @Override
        public List<GidEntry> queryGids(int portNum) {
            return List.copyOf(port(portNum).gids);
        }

        @Override
        public byte[] macAddress(int portNum) {
            return port(portNum).config.mac();
        }

        @Override
        public String netdev(int portNum) {
            return port(portNum).config.netdev();
        }

        @Override
        public ProtectionDomain allocPd() {
            lock();
            try {
                checkAlive();
                return new Pd(this);
            } finally {
                unlock();
            }
        }

        @Override
        public CompletionQueue createCq(int cqe) {
            if (cqe < 1 || cqe > MAX_CQE) {
                throw new VerbsException(Errno.EINVAL, "cqe " + cqe + " outside 1.." + MAX_CQE);
            }
            lock();
            try {
                checkAlive();
                return new Cq(cqe);
            } finally {
                unlock();
            }
        }

        @Override
        public AsyncEvent pollAsyncEvent() {
            lock();
            try {
                return events.poll();
            } finally {
                unlock();
            }
        }

        @Override
        public AsyncEvent awaitAsyncEvent(Duration timeout) throws InterruptedException {
            if (awaitCondition(eventCond, timeout, () -> !events.isEmpty())) {
                return pollAsyncEvent();
            }
            return null;
        }

        @Override
        public void close() {
            lock();
            try {
                closed = true;
                contexts.remove(this);
            } finally {
                unlock();
            }
        }

        @Override
        public String toString() {
            return "sim-context[" + name() + "]";
        }
    }

    // ---------------------------------------------------------------- PD

    final class Pd implements ProtectionDomain {
        final Context context;
        final SimDevice device = SimDevice.this;
        int users;

        Pd(Context context) {
            this.context = context;
        }

        @Override
        public VerbsContext context() {
            return context;
        }

        @Override
        public MemoryRegion registerMemory(MemorySegment segment, int accessFlags) {
            AccessFlags.check(accessFlags);
            if (!segment.isNative()) {
                throw new VerbsException(Errno.EINVAL, "MR needs native memory");
            }
            if (segment.address() % PAGE != 0) {
                throw new VerbsException(Errno.EINVAL, "MR must be page aligned, address 0x" + Long.toHexString(segment.address()));
            }
            if (segment.byteSize() == 0 || segment.byteSize() > MAX_MR_SIZE) {
                throw new VerbsException(Errno.EINVAL, "MR size " + segment.byteSize());
            }
            lock();
            try {
                checkAlive();
                int key = allocKey();
                Mr mr = new Mr(this, segment, accessFlags, key);
                mrsByKey.put(key, mr);
                users++;
                return mr;
            } finally {
                unlock();
            }
        }

        @Override
        public QueuePair createQp(QpInitAttributes attr) {
            if (attr.maxSendWr() > MAX_QP_WR || attr.maxRecvWr() > MAX_QP_WR || attr.maxSendSge() > MAX_SGE
                    || attr.maxRecvSge() > MAX_SGE || attr.maxInlineData() > MAX_INLINE) {
                throw new VerbsException(Errno.EINVAL, "QP capacities above device limits");
            }
            if (!(attr.sendCq() instanceof Cq s) || !(attr.recvCq() instanceof Cq r) || s.device() != SimDevice.this
                    || r.device() != SimDevice.this) {
                throw new VerbsException(Errno.EINVAL, "CQs must belong to this simulated device");
            }
            lock();
            try {
                checkAlive();
                SimQp qp = new SimQp(this, allocQpn(), attr, s, r);
                qps.put(qp.qpNum(), qp);
                s.users++;
                r.users++;
                users++;
                return qp;
            } finally {
                unlock();
            }
        }

        @Override
        public void close() {
            lock();
            try {
                if (users > 0) {
                    throw new VerbsException(Errno.EBUSY, "PD still has " + users + " MRs/QPs");
                }
            } finally {
                unlock();
            }
        }
    }

    // ---------------------------------------------------------------- MR

    static final class Mr implements MemoryRegion {
        final Pd pd;
        final MemorySegment segment;
        final int access;
        final int lkey;
        final int rkey;
        boolean registered = true;

        Mr(Pd pd, MemorySegment segment, int access, int key) {
            this.pd = pd;
            this.segment = segment;
            this.access = access;
            this.lkey = key;
            this.rkey = key;
        }

        @Override
        public MemorySegment segment() {
            return segment;
        }

        @Override
        public long address() {
            return segment.address();
        }

        @Override
        public long length() {
            return segment.byteSize();
        }

        @Override
        public int lkey() {
            return lkey;
        }

        @Override
        public int rkey() {
            return rkey;
        }

        @Override
        public int accessFlags() {
            return access;
        }

        @Override
        public boolean isRegistered() {
            pd.device.lock();
            try {
                return registered;
            } finally {
                pd.device.unlock();
            }
        }

        /** Bounds check: [addr, addr+len) inside the MR. */
        boolean contains(long addr, long len) {
            long start = segment.address();
            return addr >= start && len >= 0 && addr - start <= segment.byteSize() - len;
        }

        @Override
        public void deregister() {
            pd.device.lock();
            try {
                if (registered) {
                    registered = false;
                    pd.device.mrsByKey.remove(lkey);
                    pd.users--;
                }
            } finally {
                pd.device.unlock();
            }
        }

        @Override
        public String toString() {
            return "mr[key=0x" + Integer.toHexString(lkey) + " len=" + length() + " " + AccessFlags.toString(access) + "]";
        }
    }

    // ---------------------------------------------------------------- CQ

    final class Cq implements CompletionQueue {
        final int capacity;
        final ArrayDeque<WorkCompletion> entries = new ArrayDeque<>();
        final Condition cond = fabric.lock.newCondition();
        Runnable listener;
        boolean overrun;
        int users;

        Cq(int capacity) {
            this.capacity = capacity;
        }

        SimDevice device() {
            return SimDevice.this;
        }

        /** Adds a completion; on overflow the CQ overruns (CQ_ERR) and the entry is lost, as on hardware. */
        void add(WorkCompletion wc) {
            if (overrun) {
                return;
            }
            if (entries.size() >= capacity) {
                overrun = true;
                raise(new AsyncEvent(AsyncEventType.CQ_ERR, 0, 0));
                cond.signalAll();
                return;
            }
            entries.add(wc);
            cond.signalAll();
            Runnable l = listener;
            if (l != null) {
                l.run();
            }
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public int poll(WorkCompletion[] out) {
            lock();
            try {
                if (overrun) {
                    throw new VerbsException(Errno.EIO, "CQ overrun (capacity " + capacity + ")");
                }
                int n = 0;
                while (n < out.length && !entries.isEmpty()) {
                    out[n++] = entries.poll();
                }
                return n;
            } finally {
                unlock();
            }
        }

        @Override
        public boolean await(Duration timeout) throws InterruptedException {
            return awaitCondition(cond, timeout, () -> !entries.isEmpty() || overrun);
        }

        @Override
        public void setCompletionListener(Runnable l) {
            lock();
            try {
                this.listener = l;
            } finally {
                unlock();
            }
        }

        @Override
        public void close() {
            lock();
            try {
                if (users > 0) {
                    throw new VerbsException(Errno.EBUSY, "CQ used by " + users + " QPs");
                }
            } finally {
                unlock();
            }
        }
    }

}
