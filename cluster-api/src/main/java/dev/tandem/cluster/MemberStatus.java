package dev.tandem.cluster;

/**
 * A member's status as the membership protocol sees it.
 *
 * <p>Only {@link #ALIVE} and {@link #SUSPECT} members are <em>live</em>: they may own keys and
 * run jobs. A suspect is still live because suspicion is an accusation the member may refute;
 * removing it from placement at the first missed probe would make the cluster flap.
 */
public enum MemberStatus {
    /** Answering probes. */
    ALIVE,
    /** Missed probes; will be declared dead unless it refutes in time. */
    SUSPECT,
    /** Announced its own departure; its data has been handed off or is being handed off. */
    LEFT,
    /** Declared failed by the failure detector. */
    DEAD;

    public boolean isLive() {
        return this == ALIVE || this == SUSPECT;
    }
}
