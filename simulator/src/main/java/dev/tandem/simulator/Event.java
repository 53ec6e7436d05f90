package dev.tandem.simulator;

/**
 * One entry of the global event queue, ordered by (virtual time, sequence number). Sequence
 * numbers grow with every enqueue, so events at the same instant run in the order they were
 * scheduled and no tie is ever broken by anything but that order.
 *
 * <p>One mutable class for every kind keeps the hot loop free of megamorphic calls; {@link #ref}
 * carries the kind's payload (a task, message bytes, a fault, a workload operation).
 */
final class Event implements Comparable<Event> {
    static final byte BOOT = 1;
    static final byte TASK = 2;
    static final byte DELIVER = 3;
    static final byte BEACON = 4;
    static final byte WORKLOAD = 5;
    static final byte FAULT = 6;
    static final byte RESUME = 7;
    static final byte PHASE = 8;

    static final byte QUEUED = 0;
    static final byte HELD = 1;
    static final byte DONE = 2;

    final byte kind;
    final int node;
    /** The node's life (crash/restart counter) the event belongs to; -1 for any life. */
    final int life;
    final Object ref;
    long time;
    long seq;
    int from = -1;
    int channel;
    boolean cancelled;
    /** Already through the network once (held by a pause): not subject to partitions again. */
    boolean released;
    byte where = QUEUED;

    Event(byte kind, long time, int node, int life, Object ref) {
        this.kind = kind;
        this.time = time;
        this.node = node;
        this.life = life;
        this.ref = ref;
    }

    @Override
    public int compareTo(Event o) {
        int c = Long.compare(time, o.time);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }

    String describe() {
        switch (kind) {
            case BOOT:
                return "booting";
            case TASK:
                return "running a scheduled task";
            case DELIVER:
                return "handling a message on channel " + channel + " from " + Roster.nodeName(from);
            case BEACON:
                return "handling a beacon from " + Roster.nodeName(from);
            case WORKLOAD:
                return "running a workload operation";
            case FAULT:
                return "applying fault '" + ((Fault) ref).text() + "'";
            case RESUME:
                return "resuming from a pause";
            case PHASE:
                return "starting the liveness phase";
            default:
                return "event kind " + kind;
        }
    }
}
