package dev.tandem.cluster.runtime;

/** The {@link Transport} channel numbers Tandem's own protocols use. Values are wire format. */
public final class Channels {
    /** SWIM membership: probes, acks, gossip. */
    public static final int MEMBERSHIP = 1;
    /** Key/value store: writes, reads, transfers, anti-entropy. */
    public static final int STORE = 2;
    /** Distributed jobs and named workers. */
    public static final int JOBS = 3;
    /** First channel free for applications. */
    public static final int FIRST_USER_CHANNEL = 64;

    private Channels() {
    }
}
