package io.smcj.cdc;

/**
 * The kernel's close state tables ({@code net/smc/smc_close.c}): {@code smc_close_active},
 * {@code smc_close_shutdown_write}, {@code smc_close_passive_work},
 * {@code smc_close_passive_abort_received} and {@code smc_close_active_abort}. Pure: each event
 * returns whether a CDC must be sent; the flags it must carry are {@link #txFlags()} (sticky, as
 * {@code local_tx_ctrl.conn_state_flags}).
 *
 * <p>Not thread-safe; owned by {@link CdcConnection}.
 */
public final class CloseStateMachine {
    private SmcCloseState state;
    private ConnStateFlags txFlags = ConnStateFlags.NONE;
    private ConnStateFlags rxFlags = ConnStateFlags.NONE;
    /** {@code SOCK_DEAD}: the application called close() (smc_release). */
    private boolean sockDead;
    private boolean sendShutdown;

    public CloseStateMachine(SmcCloseState initial) {
        this.state = initial;
    }

    public SmcCloseState state() {
        return state;
    }

    /** {@code local_tx_ctrl.conn_state_flags}: what every CDC we send carries. */
    public ConnStateFlags txFlags() {
        return txFlags;
    }

    /** Close flags received so far (cumulative). */
    public ConnStateFlags rxFlags() {
        return rxFlags;
    }

    public boolean sockDead() {
        return sockDead;
    }

    /** {@code SEND_SHUTDOWN}: no more application writes. */
    public boolean sendShutdown() {
        return sendShutdown || sockDead || txFlags.peerConnAbort();
    }

    /** {@code smc_close_sent_any_close}. */
    public boolean sentAnyClose() {
        return txFlags.peerConnAbort() || txFlags.peerConnClosed();
    }

    /** {@code smc_cdc_rxed_any_close}. */
    public boolean rxedAnyClose() {
        return rxFlags.anyClose();
    }

    /** {@code smc_cdc_rxed_any_close_or_senddone}: RCV_SHUTDOWN. */
    public boolean receiveShutdown() {
        return rxFlags.anyCloseOrSendDone();
    }

    /** {@code smc_close_final}: abort when unread data is left in our RMBE, else closed. */
    private boolean closeFinal(int bytesToRcv) {
        txFlags = bytesToRcv > 0 ? txFlags.withPeerConnAbort(true) : txFlags.withPeerConnClosed(true);
        return true;
    }

    /** {@code smc_close_abort}. */
    private boolean closeAbort() {
        txFlags = txFlags.withPeerConnAbort(true);
        return true;
    }

    /**
     * {@code smc_close_active} followed by SOCK_DEAD (the application's close()); call after the
     * send buffer has drained ({@code smc_close_stream_wait}).
     *
     * @return true when a CDC carrying {@link #txFlags()} must be sent
     */
    public boolean closeActive(int bytesToRcv) {
        boolean send = false;
        switch (state) {
            case INIT, LISTEN -> state = SmcCloseState.CLOSED;
            case ACTIVE -> {
                send = closeFinal(bytesToRcv);
                state = SmcCloseState.PEERCLOSEWAIT1;
            }
            case APPFINCLOSEWAIT -> {
                if (txFlags.peerDoneWriting() && !sentAnyClose()) {
                    send = closeFinal(bytesToRcv);
                }
                state = SmcCloseState.CLOSED;
            }
            case APPCLOSEWAIT1, APPCLOSEWAIT2 -> {
                send = closeFinal(bytesToRcv);
                state = rxedAnyClose() ? SmcCloseState.CLOSED : SmcCloseState.PEERFINCLOSEWAIT;
            }
            case PEERCLOSEWAIT1, PEERCLOSEWAIT2 -> {
                if (txFlags.peerDoneWriting() && !sentAnyClose()) {
                    send = closeFinal(bytesToRcv);
                }
            }
            case PROCESSABORT -> {
                send = closeAbort();
                state = SmcCloseState.CLOSED;
            }
            case PEERABORTWAIT -> state = SmcCloseState.CLOSED;
            case PEERFINCLOSEWAIT, CLOSED -> {
                // the peer's close causes the transition
            }
        }
        if (send && txFlags.peerConnAbort() && state != SmcCloseState.CLOSED) {
            // Deviation: an abort is final, nothing more will come that we need. The kernel stays
            // in PEERCLOSEWAIT1/2 or PEERFINCLOSEWAIT and waits for a close from a peer that,
            // in APPCLOSEWAIT2, PEERFINCLOSEWAIT or PEERCLOSEWAIT1/2, goes CLOSED on our abort
            // without sending anything: it would wait forever.
            state = SmcCloseState.CLOSED;
        }
        sockDead = true;
        sendShutdown = true;
        return send;
    }

    /**
     * {@code smc_close_shutdown_write} (shutdown(SHUT_WR)); call after the send buffer drained.
     *
     * @return true when a CDC carrying peer_done_writing must be sent
     */
    public boolean shutdownWrite() {
        boolean send = false;
        switch (state) {
            case ACTIVE -> {
                txFlags = txFlags.withPeerDoneWriting(true);
                send = true;
                state = SmcCloseState.PEERCLOSEWAIT1;
            }
            case APPCLOSEWAIT1 -> {
                txFlags = txFlags.withPeerDoneWriting(true);
                send = true;
                state = SmcCloseState.APPCLOSEWAIT2;
            }
            default -> {
                // nothing to do
            }
        }
        sendShutdown = true;
        return send;
    }

    /**
     * A CDC carrying connection state flags arrived ({@code smc_cdc_msg_recv_action} then
     * {@code smc_close_passive_work}). A received abort makes our later CDCs carry abort too.
     */
    public void passive(ConnStateFlags received) {
        if (!received.anyCloseOrSendDone()) {
            return;
        }
        rxFlags = new ConnStateFlags(rxFlags.raw() | (received.raw() & ~ConnStateFlags.RESERVED_MASK));
        if (received.peerConnAbort()) {
            boolean sentAnyCloseBefore = sentAnyClose();
            txFlags = txFlags.withPeerConnAbort(true);
            passiveAbortReceived(sentAnyCloseBefore);
            return;
        }
        switch (state) {
            case INIT, ACTIVE -> state = SmcCloseState.APPCLOSEWAIT1;
            case PEERCLOSEWAIT1, PEERCLOSEWAIT2 -> {
                if (state == SmcCloseState.PEERCLOSEWAIT1 && rxFlags.peerDoneWriting()) {
                    state = SmcCloseState.PEERCLOSEWAIT2;
                }
                if (rxedAnyClose()) {
                    state = sockDead && sentAnyClose() ? SmcCloseState.CLOSED : SmcCloseState.APPFINCLOSEWAIT;
                }
            }
            case PEERFINCLOSEWAIT -> {
                if (rxedAnyClose()) {
                    state = SmcCloseState.CLOSED;
                }
            }
            default -> {
                // APPCLOSEWAIT1/2, APPFINCLOSEWAIT, PEERABORTWAIT, PROCESSABORT, CLOSED: nothing
            }
        }
    }

    /**
     * {@code smc_close_passive_abort_received}. In PEERCLOSEWAIT1/2 the kernel goes to
     * PROCESSABORT when we only shut down writing, so that our close() still sends an abort.
     * Because {@code smc_cdc_msg_recv_action} has already set our abort flag at that point, the
     * kernel's {@code smc_close_sent_any_close} test is always true and it goes to CLOSED
     * silently, leaving a peer that closed with unread data waiting in PEERCLOSEWAIT forever. We
     * decide with the flags as they were before the abort arrived (the evident intent).
     */
    private void passiveAbortReceived(boolean sentAnyCloseBefore) {
        switch (state) {
            case INIT, ACTIVE, APPCLOSEWAIT1, APPFINCLOSEWAIT -> state = SmcCloseState.PROCESSABORT;
            case PEERCLOSEWAIT1, PEERCLOSEWAIT2 -> state = txFlags.peerDoneWriting() && !sentAnyCloseBefore
                    ? SmcCloseState.PROCESSABORT : SmcCloseState.CLOSED;
            case APPCLOSEWAIT2, PEERFINCLOSEWAIT, PEERABORTWAIT -> state = SmcCloseState.CLOSED;
            default -> {
                // PROCESSABORT, CLOSED
            }
        }
    }

    /**
     * Local abort ({@code smc_conn_kill}: {@code smc_close_abort} then
     * {@code smc_close_active_abort}): abort flag set, state ends CLOSED.
     *
     * @return true when an abort CDC must be sent (not yet sent one)
     */
    public boolean activeAbort() {
        boolean send = state != SmcCloseState.CLOSED;
        txFlags = txFlags.withPeerConnAbort(true);
        if (state != SmcCloseState.INIT) {
            state = SmcCloseState.CLOSED;
        }
        sockDead = true;
        sendShutdown = true;
        return send;
    }
}
