package dev.tandem.cli;

import dev.tandem.node.TandemNode;
import dev.tandem.store.api.NodeInfo;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * Stopping a console node: the first {@code quit}, Ctrl-C (SIGINT) or SIGTERM leaves the cluster
 * and hands the node's data off first (progress printed), then exits; a second Ctrl-C or SIGTERM
 * while that runs stops at once without handing off. The JVM's own shutdown cannot be interrupted
 * by a second signal, so INT and TERM are handled here ({@code sun.misc.Signal}); a shutdown hook
 * still leaves gracefully if the JVM exits any other way.
 */
final class GracefulStop {
    /** Exit status of a forced stop, as a shell reports a SIGINT death. */
    static final int FORCED = 130;

    private final TandemNode node;
    private final Duration handoffTimeout;
    private final Output out;
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch left = new CountDownLatch(1);

    GracefulStop(TandemNode node, Duration handoffTimeout, Output out) {
        this.node = node;
        this.handoffTimeout = handoffTimeout;
        this.out = out;
    }

    /** Handles INT and TERM from now on; the JVM exits after the graceful stop they start. */
    void install() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (requests.compareAndSet(0, 1)) {
                leave("exit");
            }
        }, "tandem-shutdown"));
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> onSignal("SIG" + name));
            } catch (IllegalArgumentException unavailable) {
                // e.g. -Xrs: the shutdown hook above still leaves gracefully, without the forced second stop
            }
        }
    }

    private void onSignal(String signal) {
        if (requests.incrementAndGet() == 1) {
            Thread t = new Thread(() -> {
                leave(signal);
                out.writer().flush();
                Runtime.getRuntime().exit(Tandem.OK);
            }, "tandem-stop");
            t.start();
        } else {
            out.event("forced", "second " + signal + ": stopping at once, without handing data off",
                    Output.fields("signal", signal));
            Runtime.getRuntime().halt(FORCED);
        }
    }

    /** The console's {@code quit}: leaves gracefully unless a signal already started it; returns once closed. */
    void quit() {
        if (requests.compareAndSet(0, 1)) {
            leave("quit");
        } else {
            try {
                // A signal's stop is running and exits the JVM when done.
                left.await(handoffTimeout.toSeconds() + 60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void leave(String why) {
        out.event("stopping", "stopping (" + why + "): leaving the cluster, handing data off first (up to "
                        + handoffTimeout.toSeconds() + " s; Ctrl-C again to stop at once)",
                Output.fields("reason", why, "node", node.id().toString()));
        long t0 = System.nanoTime();
        long[] lastPrint = {0};
        long[] handedOffAt = {0};
        try {
            NodeInfo last = node.leave(handoffTimeout, i -> {
                long now = System.nanoTime();
                if (handedOffAt[0] == 0 && i.keysAsOwner() == 0 && i.keysInTransit() == 0 && i.tombstones() == 0) {
                    handedOffAt[0] = now;
                }
                if (now - lastPrint[0] >= TimeUnit.MILLISECONDS.toNanos(500)) {
                    lastPrint[0] = now;
                    out.event("handoff", String.format("  handing off: %,d keys as owner, %,d in transit left (%.1f s)",
                            i.keysAsOwner(), i.keysInTransit(), (now - t0) / 1e9), Output.fields(
                            "keysAsOwner", i.keysAsOwner(), "keysInTransit", i.keysInTransit(), "seconds", (now - t0) / 1e9));
                }
            }).get(handoffTimeout.toSeconds() + 30, TimeUnit.SECONDS);
            boolean all = last.keysAsOwner() == 0 && last.keysInTransit() == 0 && last.tombstones() == 0;
            double s = (System.nanoTime() - t0) / 1e9;
            double handoff = handedOffAt[0] == 0 ? s : (handedOffAt[0] - t0) / 1e9;
            Map<String, Object> f = Output.fields("handedOff", all, "handoffSeconds", handoff, "seconds", s,
                    "keysLeftBehind", last.keysAsOwner() + last.keysInTransit());
            out.event("left", all
                    ? String.format("left after %.2f s: every key this node held has two copies on the others"
                            + " (handed off in %.2f s)", s, handoff)
                    : String.format("left after %.2f s WITHOUT handing everything off: %,d keys as owner, %,d in transit"
                            + " (the others re-create their copies if another copy survives)", s,
                            last.keysAsOwner(), last.keysInTransit()), f);
        } catch (Exception e) {
            node.close();
            out.event("left", "left without a complete hand-off: " + e, Output.fields(
                    "handedOff", false, "error", String.valueOf(e)));
        } finally {
            left.countDown();
        }
    }

}
