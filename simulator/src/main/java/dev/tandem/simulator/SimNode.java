package dev.tandem.simulator;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayDeque;

/**
 * One simulated machine: its slot in the roster, its clock and network stream (which survive
 * restarts), and the process currently running on it (which does not).
 */
final class SimNode {
    final int index;
    final String name;
    final NodeAddress address;
    final SimClock clock;
    final SimRandom netRandom;
    final ArrayDeque<Event> held = new ArrayDeque<>();

    long incarnation = 1;
    /** Bumped on every crash and restart; events of an older life are dropped. */
    int life;
    boolean up = true;
    boolean paused;
    /** Waits for a {@link Fault.Join} step instead of booting at the start. */
    boolean awaitingJoin;
    long pauseUntil;
    NodeId id;
    Object state;
    Simulation.Seams seams;
    MeterRegistry meters;

    SimNode(int index, NodeAddress address, SimClock clock, SimRandom netRandom) {
        this.index = index;
        this.name = Roster.nodeName(index);
        this.address = address;
        this.clock = clock;
        this.netRandom = netRandom;
        this.id = new NodeId(name, incarnation);
        this.meters = newRegistry();
    }

    MeterRegistry newRegistry() {
        SimClock c = clock;
        return new SimpleMeterRegistry(SimpleConfig.DEFAULT, new io.micrometer.core.instrument.Clock() {
            @Override
            public long wallTime() {
                return c.wallMillis();
            }

            @Override
            public long monotonicTime() {
                return c.monotonicNanos();
            }
        });
    }
}
