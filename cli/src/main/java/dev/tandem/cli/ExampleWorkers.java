package dev.tandem.cli;

import dev.tandem.cluster.codec.Codec;
import dev.tandem.cluster.codec.Codecs;
import dev.tandem.jobs.Worker;
import dev.tandem.jobs.WorkerContext;
import dev.tandem.jobs.WorkerHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The named-worker types every node started by {@code tandem} has (installed as {@link
 * WorkerHandler} services by this module, so the container image has them too). Start arguments,
 * messages and replies are text, so the console can type them; a message the worker cannot take
 * fails at the sender, before anything is sent.
 * <ul>
 *   <li>{@code counter [START]} — a 64-bit total (default 0); messages {@code inc [N]} (N from
 *       -10^12 to 10^12, default 1) and {@code get}; an ask replies with the total after the
 *       message. The total lives in the instance: a restart on another node begins again at START,
 *       which makes a restart visible.</li>
 * </ul>
 */
public final class ExampleWorkers {
    static final long MAX_INC = 1_000_000_000_000L;

    private ExampleWorkers() {
    }

    /** Null if {@code message} is {@code get}, {@code inc} or {@code inc N}, else what is wrong. */
    static String counterMessage(String message) {
        String[] w = message.strip().split("\\s+");
        if (w.length == 1 && (w[0].equals("get") || w[0].equals("inc"))) {
            return null;
        }
        if (w.length == 2 && w[0].equals("inc")) {
            return ExampleJobs.integer("inc", w[1], -MAX_INC, MAX_INC);
        }
        return "a counter takes 'inc [N]' or 'get', was '" + message.strip() + "'";
    }

    /** Null if {@code start} is empty (0) or a whole number. */
    static String counterStart(String start) {
        return start.isBlank() ? null : ExampleJobs.integer("counter", start, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
    }

    /** {@code counter [START]}: {@code inc [N]}, {@code get}; replies with the total. */
    public static final class Counter implements WorkerHandler<String, String, String> {
        private static final Codec<String> START = ExampleJobs.text(ExampleWorkers::counterStart);
        private static final Codec<String> MESSAGE = ExampleJobs.text(ExampleWorkers::counterMessage);

        @Override
        public String type() {
            return "counter";
        }

        @Override
        public Codec<String> argCodec() {
            return START;
        }

        @Override
        public Codec<String> messageCodec() {
            return MESSAGE;
        }

        @Override
        public Codec<String> replyCodec() {
            return Codecs.utf8();
        }

        @Override
        public Worker<String, String> start(String arg, WorkerContext context) {
            long start = arg.isBlank() ? 0 : ExampleJobs.parse(arg);
            return new Worker<>() {
                private long total = start;

                @Override
                public CompletionStage<String> handle(String message, WorkerContext c) {
                    String[] w = message.strip().split("\\s+");
                    if (w[0].equals("inc")) {
                        try {
                            total = Math.addExact(total, w.length == 2 ? ExampleJobs.parse(w[1]) : 1);
                        } catch (ArithmeticException e) {
                            return CompletableFuture.failedFuture(new IllegalArgumentException(
                                    "counter " + c.name() + " would overflow (total " + total + ")"));
                        }
                    }
                    return CompletableFuture.completedFuture(Long.toString(total));
                }
            };
        }
    }
}
