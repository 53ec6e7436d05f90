package dev.tandem.jobs;

import java.util.Objects;

/** Why a call, cast or status request failed; futures complete exceptionally with it. */
public final class JobException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** No handler of that name is registered on the calling node. */
        UNKNOWN_JOB,
        /** No live node to run it on. */
        NO_NODES,
        /** Back-pressure: a bounded queue is full; retry later. */
        REJECTED,
        /** The call's deadline passed; the remote execution was asked to stop. */
        TIMEOUT,
        /** The handler failed (the message says how), or every attempt's node died. */
        FAILED,
        /** A cast was not confirmed by two nodes in time: it may or may not run. */
        NOT_ACKNOWLEDGED,
        /** The node was closed. */
        CLOSED,
        /** No worker of that name runs (never started, stopped, or failed). */
        NO_SUCH_WORKER,
        /** A worker of that name is already registered; the message says where it runs. */
        ALREADY_STARTED
    }

    private final Reason reason;

    public JobException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
