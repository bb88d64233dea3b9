package io.smcj.transport.tcp;

/** Which side of the TCP handshake a connection is: the one that sent the SYN or the SYN-ACK. */
public enum SmcRole {
    /** Active open: connect(); our SYN carries the option, the peer's SYN-ACK echoes it. */
    CLIENT,
    /** Passive open: accept(); the option is echoed on our SYN-ACK only if the peer's SYN had it. */
    SERVER
}
