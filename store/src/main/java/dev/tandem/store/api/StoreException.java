package dev.tandem.store.api;

import java.util.Objects;

/**
 * A store operation that did not complete. {@link #reason()} says why, so callers can decide
 * whether to retry. A failed write may still have reached one node: it is not acknowledged, and a
 * later read may or may not see it (it has a version like any write, and last-writer-wins applies).
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason {
        /** The operation did not gather enough answers before its timeout. */
        TIMEOUT,
        /** The view has fewer live nodes than the replication factor. */
        TOO_FEW_NODES,
        /** The minimum-cluster-size guard refused the write (this side is a minority). */
        MINORITY,
        /** Too many operations are pending on this node. */
        OVERLOADED,
        /** Newer concurrent writes kept superseding this write's version. */
        CONCURRENT_WRITE,
        /** The store node was closed. */
        CLOSED,
        /**
         * The clock guard refused the write: this node's wall clock is not within
         * {@code StoreConfig.maxClockOffset} of a majority of the live nodes, a replica found the
         * write's version too far ahead of its own clock, or the key holds a version too far ahead
         * (written by a node whose clock was ahead). Retry later or fix the clocks (NTP).
         */
        CLOCK_SKEW
    }

    private final Reason reason;

    public StoreException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
