package dev.tandem.cli;

import dev.tandem.cluster.codec.Codec;
import dev.tandem.cluster.codec.Codecs;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.jobs.JobContext;
import dev.tandem.jobs.JobHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The job handlers every node started by {@code tandem} has (installed as {@link JobHandler}
 * services by this module, so the container image has them too). Code never travels: a node runs
 * a job only if it has a handler of that name. Inputs and results are text, so the console can
 * type them; an input the job cannot take fails at the caller, before anything is sent.
 * <ul>
 *   <li>{@code echo TEXT} — returns the text (a trivial job, for spreads and throughput);</li>
 *   <li>{@code square N} — N² of a 64-bit integer;</li>
 *   <li>{@code sleep MS} — waits MS milliseconds (0..600000) on the node's timer, without holding
 *       a thread; cancelling the job cancels the timer;</li>
 *   <li>{@code hash N} — N rounds of SHA-256 (1..10,000,000) on a small worker pool, never the node's
 *       thread; checks for cancellation every 1,000 rounds.</li>
 * </ul>
 */
public final class ExampleJobs {
    static final int MAX_SLEEP_MILLIS = 600_000;
    static final int MAX_HASH_ROUNDS = 10_000_000;

    /** CPU work off the node threads; bounded in threads and queue (a full queue fails the job). */
    private static final ThreadPoolExecutor CPU = cpuPool();

    private ExampleJobs() {
    }

    private static ThreadPoolExecutor cpuPool() {
        int n = Math.max(1, Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor p = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024), r -> {
            Thread t = new Thread(r, "tandem-example-jobs");
            t.setDaemon(true);
            return t;
        });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** Text that {@code check} accepts (it returns null, or what is wrong); checked on encode and decode. */
    static Codec<String> text(Function<String, String> check) {
        return new Codec<>() {
            @Override
            public byte[] encode(String value) {
                String problem = check.apply(value);
                if (problem != null) {
                    throw new IllegalArgumentException(problem);
                }
                return Codecs.utf8().encode(value);
            }

            @Override
            public String decode(byte[] bytes) {
                String v = Codecs.utf8().decode(bytes);
                String problem = check.apply(v);
                if (problem != null) {
                    throw new MalformedMessageException(problem);
                }
                return v;
            }
        };
    }

    /** Null if {@code s} is an integer in [min, max], else what is wrong. */
    static String integer(String job, String s, long min, long max) {
        try {
            long v = Long.parseLong(s.strip().replace("_", "").replace(",", ""));
            if (v < min || v > max) {
                return job + " takes a number from " + min + " to " + max + ", was " + v;
            }
            return null;
        } catch (NumberFormatException e) {
            return job + " takes a whole number (e.g. '" + job + " " + Math.max(min, Math.min(max, 12)) + "'), was '" + s + "'";
        }
    }

    static long parse(String s) {
        return Long.parseLong(s.strip().replace("_", "").replace(",", ""));
    }

    /** Base of the four: name and text codecs. */
    private abstract static class TextJob implements JobHandler<String, String> {
        private final String name;
        private final Codec<String> input;

        TextJob(String name, Function<String, String> check) {
            this.name = name;
            this.input = text(check);
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final Codec<String> inputCodec() {
            return input;
        }

        @Override
        public final Codec<String> outputCodec() {
            return Codecs.utf8();
        }
    }

    /** {@code echo TEXT}. */
    public static final class Echo extends TextJob {
        public Echo() {
            super("echo", s -> null);
        }

        @Override
        public CompletionStage<String> run(String input, JobContext context) {
            return CompletableFuture.completedFuture(input);
        }
    }

    /** {@code square N}. */
    public static final class Square extends TextJob {
        public Square() {
            super("square", s -> integer("square", s, -3_037_000_499L, 3_037_000_499L));
        }

        @Override
        public CompletionStage<String> run(String input, JobContext context) {
            long v = parse(input);
            return CompletableFuture.completedFuture(Long.toString(v * v));
        }
    }

    /** {@code sleep MS}: a timer on the node's scheduler, cancelled with the job. */
    public static final class Sleep extends TextJob {
        public Sleep() {
            super("sleep", s -> integer("sleep", s, 0, MAX_SLEEP_MILLIS));
        }

        @Override
        public CompletionStage<String> run(String input, JobContext context) {
            long millis = parse(input);
            CompletableFuture<String> f = new CompletableFuture<>();
            Cancellable timer = context.scheduler().schedule(Duration.ofMillis(millis),
                    () -> f.complete("slept " + millis + " ms"));
            f.whenComplete((v, e) -> timer.cancel()); // cancelled or fenced off: stop the timer
            return f;
        }
    }

    /** {@code hash N}: N rounds of SHA-256 over the previous digest, off the node's thread. */
    public static final class Hash extends TextJob {
        public Hash() {
            super("hash", s -> integer("hash", s, 1, MAX_HASH_ROUNDS));
        }

        @Override
        public CompletionStage<String> run(String input, JobContext context) {
            long rounds = parse(input);
            CompletableFuture<String> f = new CompletableFuture<>();
            try {
                CPU.execute(() -> {
                    try {
                        MessageDigest sha = MessageDigest.getInstance("SHA-256");
                        byte[] d = input.getBytes(StandardCharsets.UTF_8);
                        for (long i = 0; i < rounds; i++) {
                            if (i % 1000 == 0 && (context.isCancelled() || f.isDone())) {
                                f.completeExceptionally(new CancellationException("hash cancelled after " + i + " rounds"));
                                return;
                            }
                            d = sha.digest(d);
                        }
                        f.complete(HexFormat.of().formatHex(d));
                    } catch (NoSuchAlgorithmException | RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                f.completeExceptionally(new IllegalStateException("hash: the node's worker queue is full; retry later"));
            }
            return f;
        }
    }
}
