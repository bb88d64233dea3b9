package io.smcj.simulator.tcp;

import java.util.List;

/**
 * A device on the path that may rewrite the options of handshake segments (firewalls and NATs
 * that strip unknown options are why SMC needs its TCP fallback).
 */
public interface Middlebox {

    Middlebox NONE = new Middlebox() {};

    /** Options of the client's SYN as they leave the middlebox. */
    default List<TcpOption> onSyn(List<TcpOption> options) {
        return options;
    }

    /** Options of the server's SYN-ACK as they leave the middlebox. */
    default List<TcpOption> onSynAck(List<TcpOption> options) {
        return options;
    }

    private static List<TcpOption> withoutSmc(List<TcpOption> o) {
        return o.stream().filter(x -> !x.isSmc()).toList();
    }

    /** Strips the SMC option from SYNs. */
    static Middlebox stripSmcFromSyn() {
        return new Middlebox() {
            @Override
            public List<TcpOption> onSyn(List<TcpOption> options) {
                return withoutSmc(options);
            }
        };
    }

    /** Strips the SMC option from SYN-ACKs. */
    static Middlebox stripSmcFromSynAck() {
        return new Middlebox() {
            @Override
            public List<TcpOption> onSynAck(List<TcpOption> options) {
                return withoutSmc(options);
            }
        };
    }
}
