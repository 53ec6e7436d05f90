package dev.tandem.cli;

import dev.tandem.cluster.Member;
import dev.tandem.jobs.JobException;
import dev.tandem.jobs.WorkerInfo;
import dev.tandem.jobs.WorkerService;
import dev.tandem.node.TandemNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The named-workers step of {@code tandem demo}, after the jobs steps: the seed's "GenServers
 * instead of Tasks". A node joins so three are live, a few {@code counter} workers start and
 * count, the node running one of them is killed without a goodbye, and {@code whereis} then
 * answers another node with a higher incarnation and epoch — once. The count starts again from
 * the start argument there: state lives in the instance.
 */
final class WorkersDemo {
    static final int FIRST_WORKERS = 3;
    static final int MAX_WORKERS = 9;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private WorkersDemo() {
    }

    /**
     * Runs the step numbered {@code step} through {@code nodes.get(0)}: {@code join} starts node
     * {@code e} (and adds it to {@code nodes}); kills the node running a worker (not the first) and
     * removes it from {@code nodes}.
     *
     * @return whether every worker of the killed node came back once, elsewhere, with a higher incarnation
     */
    static boolean run(PrintWriter out, List<TandemNode> nodes, int step, Consumer<String> join) throws Exception {
        TandemNode via = nodes.get(0);
        WorkerService workers = via.workers();
        long t = System.nanoTime();
        join.accept("e");
        for (TandemNode n : nodes) {
            n.awaitLiveMembers(nodes.size()).get(60, TimeUnit.SECONDS);
        }
        say(out, "%d. named workers: node e joins (%.2f s; live %s); 'counter' workers start through node %s and count",
                step, secondsSince(t), live(via), via.id().name());
        // Uniform scheduling: start names until one runs on a node other than the one we talk through.
        Map<String, WorkerInfo> started = new LinkedHashMap<>();
        for (int i = 1; i <= MAX_WORKERS && (i <= FIRST_WORKERS || onlyOn(started, via)); i++) {
            String name = "counter-" + i;
            long s = System.nanoTime();
            WorkerInfo w = workers.startWorker("counter", name, "0").get(30, TimeUnit.SECONDS);
            String count = workers.<String, String>ask(name, "inc " + i).get(30, TimeUnit.SECONDS);
            started.put(name, w);
            say(out, "   start %s -> %s (%.1f ms); ask inc %d -> %s", name, WorkerConsole.describe(w),
                    (System.nanoTime() - s) / 1e6, i, count);
        }
        Optional<WorkerInfo> target = started.values().stream().filter(w -> !w.node().equals(via.id())).findFirst();
        if (target.isEmpty()) {
            say(out, "   FAILED: all %d workers run on %s; no other node to kill", started.size(), via.id().name());
            return false;
        }
        TandemNode victim = nodes.stream().filter(n -> n.id().equals(target.get().node())).findFirst().orElseThrow();
        List<WorkerInfo> onVictim = started.values().stream().filter(w -> w.node().equals(victim.id())).toList();
        say(out, "   node %s runs %s; it is killed (no goodbye)", victim.id().name(),
                onVictim.stream().map(WorkerInfo::name).collect(Collectors.joining(", ")));
        Map<String, AtomicLong> declaredAt = new LinkedHashMap<>();
        for (TandemNode n : nodes) {
            if (n != victim) {
                AtomicLong at = new AtomicLong();
                declaredAt.put(n.id().name(), at);
                n.awaitView(view -> !view.isLive(victim.id())).thenRun(() -> at.set(System.nanoTime()));
            }
        }
        long killed = System.nanoTime();
        victim.close();
        nodes.remove(victim);

        boolean ok = true;
        for (WorkerInfo before : onVictim) {
            WorkerInfo after = awaitMoved(workers, before);
            if (after == null) {
                say(out, "   FAILED: whereis %s still does not name a live node %.0f s after the kill", before.name(),
                        TIMEOUT_NANOS / 1e9);
                return false;
            }
            String count = askUntilAnswered(workers, before.name());
            boolean higher = after.incarnation() > before.incarnation() && after.epoch() > before.epoch();
            ok &= higher;
            say(out, "   whereis %s -> %s, %.2f s after the kill (was %s, incarnation %d, epoch %d%s); ask get -> %s",
                    after.name(), WorkerConsole.describe(after), secondsSince(killed), before.node().name(),
                    before.incarnation(), before.epoch(), higher ? "" : ": NOT HIGHER", count);
        }
        say(out, "   %s declared dead (each survivor's own view) after: %s; a worker restarts once the node holding its"
                + " backup registration declares it", victim.id().name(), declaredAt.entrySet().stream()
                .map(e -> String.format("%s %.2f s", e.getKey(), e.getValue().get() == 0 ? Double.NaN
                        : (e.getValue().get() - killed) / 1e9)).collect(Collectors.joining(", ")));
        say(out, "   (the count lives in the instance: a restart begins again at its start argument, 0)");
        List<WorkerInfo> all = workers.workers().get(30, TimeUnit.SECONDS);
        List<String> liveNames = via.view().liveMembers().stream().map(Member::name).toList();
        long running = all.stream().filter(w -> w.state() == WorkerInfo.State.RUNNING).count();
        boolean once = all.size() == started.size() && running == started.size()
                && all.stream().allMatch(w -> liveNames.contains(w.node().name()));
        ok &= once;
        say(out, "   workers (from every live node, newest registration per name):");
        WorkerConsole.table(all).forEach(l -> say(out, "     %s", l));
        say(out, "   %s", once ? "each of the " + started.size() + " names runs once, on a live node"
                : "FAILED: expected " + started.size() + " workers RUNNING once each on " + liveNames);
        return ok;
    }

    private static boolean onlyOn(Map<String, WorkerInfo> started, TandemNode via) {
        return started.values().stream().allMatch(w -> w.node().equals(via.id()));
    }

    /** Polls {@code whereis} until it names another node than before; null after the timeout. */
    private static WorkerInfo awaitMoved(WorkerService workers, WorkerInfo before) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            Optional<WorkerInfo> w = workers.whereis(before.name()).get(30, TimeUnit.SECONDS);
            if (w.isPresent() && !w.get().node().equals(before.node()) && w.get().state() == WorkerInfo.State.RUNNING) {
                return w.get();
            }
            LockSupport.parkNanos(POLL_NANOS); // poll interval of a bounded wait
        }
        return null;
    }

    /** {@code get} (idempotent) until the new instance answers; its error in one line after the timeout. */
    private static String askUntilAnswered(WorkerService workers, String name) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                return workers.<String, String>ask(name, "get").get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                last = e instanceof ExecutionException && e.getCause() instanceof JobException j ? j.getMessage() : e.toString();
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return "(error: " + last + ")";
    }

    private static String live(TandemNode via) {
        return via.view().liveMembers().stream().map(Member::name).collect(Collectors.joining(" "));
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void say(PrintWriter out, String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }
}
