package dev.tandem.cli;

import dev.tandem.cluster.Member;
import dev.tandem.jobs.JobResult;
import dev.tandem.node.TandemNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem jobs-bench}: job figures across three node JVMs on loopback. This JVM runs node
 * {@code a} and is the caller; {@code b} and {@code c} are {@code tandem node} child processes
 * started with this JVM's java and module path. Prints calls/s with one synchronous caller (with
 * p50/p99 latency) and with many calls in flight, the spread of 100 and of 10,000 calls (per-node
 * counts and a chi-square p-value), and the time from killing a child (SIGKILL) to its jobs
 * running, and finishing, elsewhere. Every loop is bounded in count and time; the children are
 * stopped (by their process handle) when it ends.
 */
@Command(name = "jobs-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Job figures across 3 node JVMs on loopback: calls/s, spread, failover time.")
final class JobsBenchCommand implements Callable<Integer> {
    private static final String SECRET = "tandem-jobs-bench-secret-not-for-production";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", description = "Also print this JVM's node INFO log lines.")
    boolean verbose;

    @Option(names = "--sync-calls", paramLabel = "N", defaultValue = "5000",
            description = "Calls made one at a time (1-1000000, default ${DEFAULT-VALUE}).")
    int syncCalls;

    @Option(names = "--calls", paramLabel = "N", defaultValue = "50000",
            description = "Calls made with --in-flight outstanding (1-10000000, default ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--in-flight", paramLabel = "N", defaultValue = "256",
            description = "Outstanding calls for the pipelined figure (1-4096, default ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--scheduler", paramLabel = "NAME", defaultValue = "uniform",
            description = "Job scheduling strategy (default ${DEFAULT-VALUE}).")
    String scheduler;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        if (!verbose) {
            DemoCommand.quietNodeLogs(); // the figures only; warnings still print
        }
        if (syncCalls < 1 || syncCalls > 1_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sync-calls must be from 1 to 1000000, was " + syncCalls);
        }
        if (calls < 1 || calls > 10_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--calls must be from 1 to 10000000, was " + calls);
        }
        if (inFlight < 1 || inFlight > 4096) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--in-flight must be from 1 to 4096, was " + inFlight);
        }
        out = spec.commandLine().getOut();
        String modulePath = System.getProperty("jdk.module.path");
        String java = ProcessHandle.current().info().command().orElse(null);
        if (modulePath == null || java == null) {
            throw new IllegalStateException("jobs-bench starts child JVMs on this JVM's module path; run it through ./tandem");
        }
        int[] ports = {freePort(), freePort(), freePort()};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        Path logs = Files.createTempDirectory("tandem-jobs-bench");
        Map<String, Process> children = new LinkedHashMap<>();
        TandemNode a = null;
        try {
            for (int i = 1; i < 3; i++) {
                String name = String.valueOf((char) ('a' + i));
                List<String> cmd = new ArrayList<>(List.of(java));
                cmd.addAll(NodeJvmFlags.before(System.getenv("TANDEM_JAVA_OPTS")));
                cmd.addAll(List.of("--module-path", modulePath, "-m",
                        "dev.tandem.cli/dev.tandem.cli.Tandem", "node", name, "--bind", "127.0.0.1:" + ports[i],
                        "--discovery", "static", "--seeds", seeds, "--scheduler", scheduler));
                cmd.addAll(swim());
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(logs.resolve(name + ".log").toFile());
                pb.environment().put("TANDEM_SECRET", SECRET);
                children.put(name, pb.start());
            }
            TandemNode.Builder b = TandemNode.builder().name("a").bind("127.0.0.1", ports[0]).secret(SECRET)
                    .discovery("static").seeds(seeds).jobScheduler(scheduler).jobHandlersFromServiceLoader();
            for (int i = 0; i < swim().size(); i += 2) {
                String[] kv = swim().get(i + 1).split("=", 2);
                b.discoveryOption(kv[0], kv[1]);
            }
            a = b.start();
            try {
                a.awaitLiveMembers(3).get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("the child nodes did not join within " + START_TIMEOUT.toSeconds()
                        + " s; their output is in " + logs);
            }
            say("jobs-bench: 3 node JVMs on loopback (a: this JVM, the caller; b, c: child processes, logs in %s); "
                    + "scheduler %s; job 'echo'; Java %s, %d cores", logs, scheduler, Runtime.version(),
                    Runtime.getRuntime().availableProcessors());
            run(a, children);
            return Tandem.OK;
        } finally {
            if (a != null) {
                a.close();
            }
            for (Process p : children.values()) {
                p.destroy(); // SIGTERM: the node leaves gracefully
            }
            for (Process p : children.values()) {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private void run(TandemNode a, Map<String, Process> children) throws Exception {
        // Warm-up: JIT and connections, not reported.
        JobRuns.spread(a.jobs(), a.view(), Math.min(calls, 5_000), inFlight, out);

        long[] latencies = new long[syncCalls];
        long[] remote = new long[syncCalls];
        int remoteCount = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < syncCalls; i++) {
            long s = System.nanoTime();
            JobResult<String> r = a.jobs().<String, String>call("echo", "x").get(30, TimeUnit.SECONDS);
            latencies[i] = System.nanoTime() - s;
            if (!r.node().equals(a.id())) {
                remote[remoteCount++] = latencies[i];
            }
            if (!r.value().equals("x")) {
                throw new IllegalStateException("echo returned '" + r.value() + "'");
            }
        }
        double syncS = (System.nanoTime() - t0) / 1e9;
        say("  one caller, synchronous: %,d calls in %.2f s: %,.0f calls/s; latency %s; the %,d that ran on b or c: %s",
                syncCalls, syncS, syncCalls / syncS, percentiles(latencies, syncCalls), remoteCount,
                percentiles(remote, remoteCount));

        JobRuns.Spread p = JobRuns.spread(a.jobs(), a.view(), calls, inFlight, out);
        say("  %d in flight:            %,d calls in %.2f s: %,.0f calls/s", inFlight, calls, p.seconds(), p.perSecond());

        for (int n : new int[] {100, 10_000}) {
            JobRuns.Spread s = JobRuns.spread(a.jobs(), a.view(), n, 1, out);
            say("  spread of %,6d calls:  %s", n, s.line());
        }

        AtomicLong killedAt = new AtomicLong();
        AtomicLong declaredAt = new AtomicLong();
        JobRuns.Failover f = JobRuns.failover(a.jobs(), List.copyOf(children.keySet()), JobsDemo.CASTS,
                JobsDemo.SLEEP_MILLIS, victim -> {
                    Member m = a.view().member(victim).orElseThrow();
                    a.awaitView(v -> !v.isLive(m.id())).thenRun(() -> declaredAt.set(System.nanoTime()));
                    killedAt.set(System.nanoTime());
                    children.get(victim).destroyForcibly(); // SIGKILL: no goodbye
                }, Duration.ofSeconds(120));
        say("  failover: %d casts of 'sleep %d' through a; %s", JobsDemo.CASTS, JobsDemo.SLEEP_MILLIS, f.summary());
        say("            %s killed (SIGKILL): declared dead after %.2f s; its jobs running elsewhere (new attempt "
                        + "recorded) after %.2f s, done after %.2f s (the sleep restarts from zero)", f.victim(),
                (declaredAt.get() - killedAt.get()) / 1e9, f.restartedS(), f.completedS());
        say("  live now: %s", a.view().liveMembers().stream().map(Member::name).collect(Collectors.joining(" ")));
        if (!f.ok()) {
            throw new IllegalStateException("not every job of the killed node finished elsewhere with a higher attempt");
        }
    }

    /** {@code p50 0.160 ms, p99 1.234 ms} of the first {@code n} values (sorted in place). */
    static String percentiles(long[] nanos, int n) {
        if (n == 0) {
            return "-";
        }
        Arrays.sort(nanos, 0, n);
        return String.format("p50 %.3f ms, p99 %.3f ms", nanos[n / 2] / 1e6, nanos[(int) Math.ceil(n * 0.99) - 1] / 1e6);
    }

    /** SWIM timing as in {@code tandem demo}. */
    private static List<String> swim() {
        return List.of("-o", "protocol-period-millis=500", "-o", "probe-timeout-millis=250");
    }

    private void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
