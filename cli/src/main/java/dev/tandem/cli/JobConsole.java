package dev.tandem.cli;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.jobs.CallOptions;
import dev.tandem.jobs.JobException;
import dev.tandem.jobs.JobResult;
import dev.tandem.jobs.JobService;
import dev.tandem.jobs.JobStatus;
import dev.tandem.jobs.stats.ChiSquare;
import dev.tandem.cluster.NodeId;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The jobs commands of the node console: {@code call}, {@code cast}, {@code status},
 * {@code spread} and {@code jobs}, answering through the console's {@link Output} (text, or one
 * JSON line per answer with {@code --json}). Parsing is separate from running ({@link #parse}), so
 * usage errors are one line and testable without a cluster.
 */
final class JobConsole {
    static final String HELP = "call NAME [INPUT] | cast NAME [INPUT] | status JOBID | spread N [NAME [INPUT]] | jobs";
    static final int MAX_SPREAD = 1_000_000;
    static final int SPREAD_IN_FLIGHT = 64;
    /** Long enough for {@code sleep 600000}, the longest example job. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(ExampleJobs.MAX_SLEEP_MILLIS / 1000 + 60);
    private static final long ANSWER_TIMEOUT_SECONDS = 30;
    /** Below this p-value a spread is reported as not even. */
    private static final double EVEN_P = 0.001;

    /** A parsed command, or {@link Usage} saying what was wrong. */
    sealed interface Command permits Call, Cast, Status, Spread, Jobs, Usage {
    }

    record Call(String name, String input) implements Command {
    }

    record Cast(String name, String input) implements Command {
    }

    record Status(String jobId) implements Command {
    }

    record Spread(int calls, String name, String input) implements Command {
    }

    record Jobs() implements Command {
    }

    record Usage(String message) implements Command {
    }

    private final JobService jobs;
    private final Supplier<MembershipView> view;
    private final Output o;

    JobConsole(JobService jobs, Supplier<MembershipView> view, Output o) {
        this.jobs = jobs;
        this.view = view;
        this.o = o;
    }

    /** Whether {@code word} is one of this console's commands. */
    static boolean handles(String word) {
        return switch (word) {
            case "call", "cast", "status", "spread", "jobs" -> true;
            default -> false;
        };
    }

    /** Parses {@code word} with the rest of its line {@code args} (may be empty). */
    static Command parse(String word, String args) {
        String rest = args.strip();
        String[] nameAndInput = rest.isEmpty() ? new String[0] : rest.split("\\s+", 2);
        return switch (word) {
            case "call" -> nameAndInput.length == 0 ? new Usage("usage: call NAME [INPUT]  (e.g. call square 12; 'jobs' lists the names)")
                    : new Call(nameAndInput[0], nameAndInput.length > 1 ? nameAndInput[1] : "");
            case "cast" -> nameAndInput.length == 0 ? new Usage("usage: cast NAME [INPUT]  (e.g. cast sleep 5000; 'jobs' lists the names)")
                    : new Cast(nameAndInput[0], nameAndInput.length > 1 ? nameAndInput[1] : "");
            case "status" -> nameAndInput.length != 1 ? new Usage("usage: status JOBID  (the id 'cast' printed)")
                    : new Status(nameAndInput[0]);
            case "spread" -> parseSpread(nameAndInput);
            case "jobs" -> rest.isEmpty() ? new Jobs() : new Usage("usage: jobs  (lists the job names this node has)");
            default -> new Usage("not a jobs command: '" + word + "'");
        };
    }

    private static Command parseSpread(String[] words) {
        String usage = "usage: spread N [NAME [INPUT]]  (N from 1 to " + String.format("%,d", MAX_SPREAD)
                + " calls; default job: echo)";
        if (words.length == 0) {
            return new Usage(usage);
        }
        int n;
        try {
            n = Integer.parseInt(words[0].replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            return new Usage(usage + "; '" + words[0] + "' is not a number");
        }
        if (n < 1 || n > MAX_SPREAD) {
            return new Usage(usage + "; was " + n);
        }
        if (words.length == 1) {
            return new Spread(n, "echo", "x");
        }
        String[] nameAndInput = words[1].split("\\s+", 2);
        return new Spread(n, nameAndInput[0], nameAndInput.length > 1 ? nameAndInput[1] : "");
    }

    /**
     * Parses and runs one command, answering through {@link Output}: text lines for a person, or
     * with {@code --json} one JSON line ({@code {"command":"call","job":"square","result":"144",...}});
     * usage and job errors are {@code {"command":..., "error": "..."}}.
     */
    void run(String word, String args) {
        Command c = parse(word, args);
        if (c instanceof Usage u) {
            o.error(word, u.message());
        } else if (c instanceof Jobs) {
            List<String> names = jobs.handlerNames();
            o.answer("jobs", "  jobs on this node: " + String.join(" ", names), Output.fields("names", names));
        } else if (c instanceof Call call) {
            call(call);
        } else if (c instanceof Cast cast) {
            cast(cast);
        } else if (c instanceof Status s) {
            status(s);
        } else if (c instanceof Spread s) {
            spread(s);
        }
    }

    private void call(Call c) {
        long t0 = System.nanoTime();
        try {
            JobResult<Object> r = await(jobs.call(c.name(), c.input(), CallOptions.timeout(CALL_TIMEOUT)),
                    CALL_TIMEOUT.toSeconds() + 5);
            double ms = millisSince(t0);
            o.answer("call", String.format("  %s  (ran on %s, attempt %d, %.2f ms)", r.value(), r.node().name(),
                    r.attempt(), ms), Output.fields("job", c.name(), "result", r.value(), "node", r.node().name(),
                    "attempt", r.attempt(), "millis", ms));
        } catch (JobException e) {
            o.error("call", String.valueOf(e.getMessage()));
        }
    }

    private void cast(Cast c) {
        long t0 = System.nanoTime();
        try {
            String id = await(jobs.cast(c.name(), c.input()), ANSWER_TIMEOUT_SECONDS);
            double ms = millisSince(t0);
            o.answer("cast", String.format("  job %s recorded on two nodes (%.2f ms); 'status %s' follows it", id, ms, id),
                    Output.fields("job", c.name(), "jobId", id, "millis", ms));
        } catch (JobException e) {
            o.error("cast", String.valueOf(e.getMessage()));
        }
    }

    private void status(Status s) {
        try {
            JobStatus st = await(jobs.status(s.jobId()), ANSWER_TIMEOUT_SECONDS);
            o.answer("status", "  " + describe(st), fields(st));
        } catch (JobException e) {
            o.error("status", String.valueOf(e.getMessage()));
        }
    }

    /** {@code status}'s JSON fields; {@code executor} and {@code ranOn} are null when the record has none. */
    static Map<String, Object> fields(JobStatus s) {
        return Output.fields("jobId", s.jobId(), "state", s.state().toString(), "attempt", s.attempt(),
                "epoch", s.epoch(), "executor", s.executor().map(NodeId::name).orElse(null),
                "ranOn", s.ranOn().map(NodeId::name).orElse(null));
    }

    static String describe(JobStatus s) {
        if (s.state() == JobStatus.State.UNKNOWN) {
            return s.jobId() + ": UNKNOWN (no live node holds a record of it)";
        }
        return s.jobId() + ": " + s.state() + ", attempt " + s.attempt() + " (epoch " + s.epoch() + ")"
                + s.executor().map(e -> ", executor " + e.name()).orElse("")
                + s.ranOn().map(e -> ", ran on " + e.name()).orElse("");
    }

    private void spread(Spread s) {
        Map<String, AtomicInteger> ranOn = new ConcurrentHashMap<>();
        // The progress bar is for a person: with --json every line stays one JSON object.
        PrintWriter progress = o.json() ? new PrintWriter(Writer.nullWriter()) : o.writer();
        Pipelined.Outcome r = Pipelined.run(s.calls(), SPREAD_IN_FLIGHT, "calls", progress,
                i -> jobs.<String, Object>call(s.name(), s.input()).thenApply(res -> {
                    ranOn.computeIfAbsent(res.node().name(), k -> new AtomicInteger()).incrementAndGet();
                    return true;
                }));
        if (r.failure() != null) {
            String message = String.valueOf(cause(r.failure()).getMessage());
            o.answer("spread", "  error after " + r.issued() + " calls: " + message,
                    Output.fields("job", s.name(), "calls", s.calls(), "issued", r.issued(), "error", message));
            return;
        }
        Map<String, Integer> counts = counts(ranOn, view.get());
        Map<String, Object> f = Output.fields("job", s.name(), "calls", s.calls(), "seconds", r.seconds(),
                "rate", r.perSecond(), "inFlight", SPREAD_IN_FLIGHT, "counts", counts);
        f.putAll(spreadFields(counts));
        o.answer("spread", List.of(String.format("  %,d calls of %s in %.2f s (%,.0f calls/s, %d in flight)", s.calls(),
                s.name(), r.seconds(), r.perSecond(), SPREAD_IN_FLIGHT), "  " + spreadLine(counts)), f);
    }

    /**
     * The chi-square test of {@code counts} against an even spread: {@code chiSquare}, {@code df},
     * {@code p} and {@code even} (p >= 0.001); all null with fewer than two nodes.
     */
    static Map<String, Object> spreadFields(Map<String, Integer> counts) {
        if (counts.size() < 2) {
            return Output.fields("chiSquare", null, "df", null, "p", null, "even", null);
        }
        ChiSquare.Result chi = chiSquare(counts);
        return Output.fields("chiSquare", chi.statistic(), "df", chi.degreesOfFreedom(), "p", chi.pValue(),
                "even", chi.pValue() >= EVEN_P);
    }

    private static ChiSquare.Result chiSquare(Map<String, Integer> counts) {
        return ChiSquare.uniform(counts.values().stream().mapToInt(Integer::intValue).toArray());
    }

    /** Per-node counts over the live members (0 for a live node that ran none) and any node that ran one. */
    static Map<String, Integer> counts(Map<String, AtomicInteger> ranOn, MembershipView v) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Member m : v.liveMembers()) {
            counts.put(m.name(), 0);
        }
        ranOn.forEach((k, n) -> counts.put(k, n.get()));
        return counts;
    }

    /** {@code a 34  b 31  c 35   chi-square 0.62 (2 df), p = 0.733: consistent with an even spread}. */
    static String spreadLine(Map<String, Integer> counts) {
        StringBuilder b = new StringBuilder("per node:");
        counts.forEach((k, n) -> b.append(String.format("  %s %,d", k, n)));
        if (counts.size() < 2) {
            return b.append("   (one node: no spread to test)").toString();
        }
        ChiSquare.Result chi = chiSquare(counts);
        return b.append(String.format("   chi-square %.2f (%d df), p = %.3f: %s", chi.statistic(), chi.degreesOfFreedom(),
                chi.pValue(), chi.pValue() >= EVEN_P ? "consistent with an even spread" : "NOT an even spread (p < 0.001)"))
                .toString();
    }

    static Throwable cause(Throwable t) {
        return (t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null
                ? t.getCause() : t;
    }

    /** Waits for {@code f}; any failure comes back as a {@link JobException} with a one-line message. */
    static <T> T await(CompletableFuture<T> f, long seconds) {
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = cause(e);
            throw c instanceof JobException j ? j : new JobException(JobException.Reason.FAILED, String.valueOf(c));
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new JobException(JobException.Reason.TIMEOUT, "no answer within " + seconds + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobException(JobException.Reason.CLOSED, "interrupted");
        }
    }

    private static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
