package dev.tandem.cli;

import dev.tandem.cluster.Member;
import dev.tandem.node.TandemNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The jobs steps of {@code tandem demo}, after the store's: the HordeCluster README's "100 calls
 * spread over the nodes" with a chi-square test instead of eyeballing, then long casts in flight
 * while the node running most of them is killed, and those jobs finishing elsewhere with a higher
 * attempt number.
 */
final class JobsDemo {
    static final int CALLS = 100;
    static final int CASTS = 12;
    static final long SLEEP_MILLIS = 3000;
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(120);

    private JobsDemo() {
    }

    /**
     * Runs the steps numbered from {@code step} through {@code nodes.get(0)}; kills one of the
     * others and removes it from {@code nodes}.
     *
     * @return whether every job finished as it should
     */
    static boolean run(PrintWriter out, List<TandemNode> nodes, int step) throws Exception {
        TandemNode via = nodes.get(0);
        String names = nodes.stream().map(n -> n.id().name()).collect(Collectors.joining(", "));
        say(out, "%d. jobs: %d calls of 'echo' through node %s, each to a node the uniform scheduler draws among %s",
                step, CALLS, via.id().name(), names);
        JobRuns.Spread s = JobRuns.spread(via.jobs(), via.view(), CALLS, 1, out);
        say(out, "   %d calls in %.2f s, one at a time (%,.0f calls/s)", CALLS, s.seconds(), s.perSecond());
        say(out, "   %s", s.line());

        List<String> others = new ArrayList<>();
        nodes.stream().skip(1).forEach(n -> others.add(n.id().name()));
        say(out, "%d. %d casts of 'sleep %d' through node %s (each recorded on two nodes), then the node running most "
                + "of them is killed (no goodbye)", step + 1, CASTS, SLEEP_MILLIS, via.id().name());
        AtomicLong killedAt = new AtomicLong();
        AtomicLong declaredAt = new AtomicLong();
        JobRuns.Failover f = JobRuns.failover(via.jobs(), others, CASTS, SLEEP_MILLIS, victim -> {
            TandemNode v = nodes.stream().filter(n -> n.id().name().equals(victim)).findFirst().orElseThrow();
            via.awaitView(view -> !view.isLive(v.id())).thenRun(() -> declaredAt.set(System.nanoTime()));
            killedAt.set(System.nanoTime());
            v.close();
            nodes.remove(v);
        }, FAILOVER_TIMEOUT);
        double declared = declaredAt.get() == 0 ? Double.NaN : (declaredAt.get() - killedAt.get()) / 1e9;
        say(out, "   %s", f.summary());
        say(out, "   %s declared dead %.2f s after the kill; its jobs restarted elsewhere after %.2f s and done after "
                + "%.2f s; all %d casts done after %.2f s", f.victim(), declared, f.restartedS(), f.completedS(), CASTS,
                f.allDoneS());
        say(out, "   live now: %s", via.view().liveMembers().stream().map(Member::name).collect(Collectors.joining(" ")));
        return f.ok();
    }

    private static void say(PrintWriter out, String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }
}
