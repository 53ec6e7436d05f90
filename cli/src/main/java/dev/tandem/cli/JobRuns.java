package dev.tandem.cli;

import dev.tandem.cluster.MembershipView;
import dev.tandem.jobs.JobService;
import dev.tandem.jobs.JobStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Measured job runs shared by {@code tandem demo} and {@code tandem jobs-bench}: a spread of calls
 * with its chi-square test, calls per second, and a failover (long casts in flight, the node
 * running most of them killed, its jobs followed until they finished elsewhere). Wall clock;
 * every wait is bounded.
 */
final class JobRuns {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Status requests in flight per job while a failover is followed (each lasts at most the cast ack timeout). */
    private static final int MAX_STATUS_IN_FLIGHT = 64;

    private JobRuns() {
    }

    /** Per-node counts of {@code calls} calls of {@code echo}, their rate and the spread line. */
    record Spread(int calls, Map<String, Integer> counts, double seconds, int inFlight) {
        double perSecond() {
            return calls / seconds;
        }

        String line() {
            return JobConsole.spreadLine(counts);
        }
    }

    /** {@code calls} echo calls through {@code jobs}, {@code inFlight} at a time (1: synchronous). */
    static Spread spread(JobService jobs, MembershipView view, int calls, int inFlight, PrintWriter out) {
        Map<String, AtomicInteger> ranOn = new ConcurrentHashMap<>();
        Pipelined.Outcome o = Pipelined.run(calls, inFlight, "calls", out,
                i -> jobs.<String, String>call("echo", Integer.toString(i)).thenApply(r -> {
                    ranOn.computeIfAbsent(r.node().name(), k -> new AtomicInteger()).incrementAndGet();
                    return r.value().equals(Integer.toString(i));
                }));
        if (o.failure() != null) {
            throw new IllegalStateException("a call failed after " + o.issued() + " calls: "
                    + JobConsole.cause(o.failure()).getMessage(), o.failure());
        }
        if (o.wrong() > 0) {
            throw new IllegalStateException(o.wrong() + " calls returned a wrong result");
        }
        return new Spread(calls, JobConsole.counts(ranOn, view), o.seconds(), inFlight);
    }

    /**
     * What happened to the casts that ran on a killed node.
     *
     * @param victim        the node killed
     * @param casts         casts in flight at the kill
     * @param onVictim      of them, given to the victim
     * @param restartedS    kill -> every one of the victim's jobs recorded as a new attempt on a live node
     * @param completedS    kill -> every one of the victim's jobs DONE
     * @param allDoneS      kill -> every cast DONE
     * @param victimJobs    the final status of each of the victim's jobs
     */
    record Failover(String victim, int casts, int onVictim, double restartedS, double completedS, double allDoneS,
                    List<JobStatus> victimJobs) {
        boolean ok() {
            return victimJobs.stream().allMatch(s -> s.state() == JobStatus.State.DONE && s.attempt() > 1
                    && s.ranOn().map(n -> !n.name().equals(victim)).orElse(false));
        }

        String summary() {
            Map<String, Integer> ranOn = new TreeMap<>();
            int minAttempt = Integer.MAX_VALUE;
            for (JobStatus s : victimJobs) {
                ranOn.merge(s.ranOn().map(n -> n.name()).orElse("?"), 1, Integer::sum);
                minAttempt = Math.min(minAttempt, s.attempt());
            }
            StringBuilder b = new StringBuilder();
            ranOn.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(v).append(" on ").append(k));
            return String.format("%d of %d casts were on %s; they finished elsewhere (%s) with attempt %s", onVictim, casts,
                    victim, b, minAttempt == Integer.MAX_VALUE ? "-" : minAttempt > 1 ? ">= " + minAttempt : minAttempt
                            + " (NOT RESTARTED)");
        }
    }

    /**
     * Casts {@code casts} {@code sleep sleepMillis} jobs through {@code jobs}, waits until each is
     * recorded on two nodes, kills (via {@code kill}) the node among {@code killable} that was given
     * the most of them, and follows that node's jobs until they are DONE elsewhere.
     *
     * @throws IllegalStateException if none of the casts went to a killable node, or the jobs do not
     *                               finish within {@code timeout}
     */
    static Failover failover(JobService jobs, List<String> killable, int casts, long sleepMillis,
                             Consumer<String> kill, Duration timeout) throws Exception {
        List<String> ids = new ArrayList<>();
        Map<String, List<String>> byExecutor = new TreeMap<>();
        for (int i = 0; i < casts; i++) {
            String id = jobs.cast("sleep", Long.toString(sleepMillis)).get(30, TimeUnit.SECONDS);
            ids.add(id);
        }
        for (String id : ids) {
            JobStatus s = jobs.status(id).get(30, TimeUnit.SECONDS);
            s.executor().ifPresent(e -> byExecutor.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(id));
        }
        String victim = null;
        for (String k : killable) {
            if (byExecutor.containsKey(k) && (victim == null || byExecutor.get(k).size() > byExecutor.get(victim).size())) {
                victim = k;
            }
        }
        if (victim == null) {
            throw new IllegalStateException("none of the " + casts + " casts went to " + killable + ": " + byExecutor);
        }
        List<String> mine = byExecutor.get(victim);
        long t0 = System.nanoTime();
        kill.accept(victim);

        Map<String, JobStatus> latest = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicLong restartedAt = new AtomicLong();
        AtomicLong completedAt = new AtomicLong();
        long deadline = t0 + timeout.toNanos();
        final String dead = victim;
        while (System.nanoTime() - deadline < 0) {
            for (String id : ids) {
                JobStatus s = latest.get(id);
                if (s != null && s.state() != JobStatus.State.PENDING) {
                    continue;
                }
                AtomicInteger n = inFlight.computeIfAbsent(id, k -> new AtomicInteger());
                if (n.get() >= MAX_STATUS_IN_FLIGHT) {
                    continue;
                }
                n.incrementAndGet();
                jobs.status(id).whenComplete((st, e) -> {
                    n.decrementAndGet();
                    if (st != null) {
                        latest.merge(id, st, (a, b) -> order(b) >= order(a) ? b : a);
                    }
                });
            }
            long now = System.nanoTime();
            if (restartedAt.get() == 0 && mine.stream().allMatch(id -> restarted(latest.get(id), dead))) {
                restartedAt.set(now);
            }
            if (completedAt.get() == 0 && mine.stream().allMatch(id -> done(latest.get(id)))) {
                completedAt.set(now);
            }
            if (completedAt.get() != 0 && ids.stream().allMatch(id -> done(latest.get(id)))) {
                List<JobStatus> victimJobs = mine.stream().map(latest::get).toList();
                return new Failover(victim, casts, mine.size(), (restartedAt.get() - t0) / 1e9,
                        (completedAt.get() - t0) / 1e9, (now - t0) / 1e9, victimJobs);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        throw new IllegalStateException("within " + timeout.toSeconds() + " s of killing " + victim
                + ", not every cast was DONE: " + latest.values());
    }

    private static long order(JobStatus s) {
        return s.attempt() * 1_000_000_000L + s.epoch() * 2 + (s.state() == JobStatus.State.PENDING ? 0 : 1);
    }

    private static boolean restarted(JobStatus s, String victim) {
        return s != null && s.attempt() > 1 && s.executor().map(e -> !e.name().equals(victim)).orElse(false);
    }

    private static boolean done(JobStatus s) {
        return s != null && s.state() == JobStatus.State.DONE;
    }

}
