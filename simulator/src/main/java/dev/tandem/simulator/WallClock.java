package dev.tandem.simulator;

/**
 * The one place the simulator reads real time: to report how fast it ran. Nothing simulated ever
 * sees it, so it cannot affect a run.
 */
final class WallClock {
    private WallClock() {
    }

    static long nanos() {
        return System.nanoTime();
    }
}
