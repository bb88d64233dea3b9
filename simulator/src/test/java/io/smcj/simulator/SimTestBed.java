package io.smcj.simulator;

import io.smcj.transport.rdma.QueuePair;
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.conformance.FaultControl;
import io.smcj.transport.rdma.conformance.VerbsTestBed;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/** Two simulated devices on one fabric, with every fault the conformance suite asks for. */
final class SimTestBed implements VerbsTestBed {

    final SimFabric fabric;
    private final VerbsContext a;
    private final VerbsContext b;

    SimTestBed(SimFabric fabric) {
        this.fabric = fabric;
        fabric.addDevice(SimDeviceConfig.of("simA", "ethA", new byte[] {2, 0, 0, 0, 0, 1}, ip("10.0.0.1")));
        fabric.addDevice(SimDeviceConfig.of("simB", "ethB", new byte[] {2, 0, 0, 0, 0, 2}, ip("10.0.0.2")));
        a = fabric.openDevice("simA");
        b = fabric.openDevice("simB");
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public VerbsContext deviceA() {
        return a;
    }

    @Override
    public VerbsContext deviceB() {
        return b;
    }

    @Override
    public FaultControl faults() {
        return new FaultControl() {
            @Override
            public boolean supports(Fault fault) {
                return true;
            }

            @Override
            public void linkDown(VerbsContext device, int port) {
                fabric.linkDown(device.deviceName(), port);
            }

            @Override
            public void linkUp(VerbsContext device, int port) {
                fabric.linkUp(device.deviceName(), port);
            }

            @Override
            public void crash(VerbsContext device) {
                fabric.crash(device.deviceName());
            }

            @Override
            public void dropNext(QueuePair qp, int count) {
                fabric.dropNext(qp, count);
            }

            @Override
            public void delay(QueuePair qp, Duration delay) {
                fabric.setDelay(qp, delay);
            }
        };
    }

    @Override
    public void close() {
        fabric.close();
    }
}
