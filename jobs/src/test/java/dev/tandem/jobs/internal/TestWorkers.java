package dev.tandem.jobs.internal;

import dev.tandem.cluster.codec.Codec;
import dev.tandem.cluster.codec.Codecs;
import dev.tandem.jobs.Worker;
import dev.tandem.jobs.WorkerContext;
import dev.tandem.jobs.WorkerHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Worker types for tests. */
final class TestWorkers {
    private TestWorkers() {
    }

    /**
     * {@code counter}: starts at its argument; a message adds to it and the reply is the new total.
     * A message of at least {@link #SLOW} takes {@code message - SLOW} virtual ms and adds nothing.
     * A negative start argument makes the start throw.
     */
    static final long SLOW = 1_000_000_000L;

    static WorkerHandler<Long, Long, Long> counter(String type) {
        return new WorkerHandler<>() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public Codec<Long> argCodec() {
                return Codecs.int64();
            }

            @Override
            public Codec<Long> messageCodec() {
                return Codecs.int64();
            }

            @Override
            public Codec<Long> replyCodec() {
                return Codecs.int64();
            }

            @Override
            public Worker<Long, Long> start(Long arg, WorkerContext context) {
                if (arg < 0) {
                    throw new IllegalArgumentException("negative start " + arg);
                }
                return new Worker<>() {
                    long total = arg;

                    @Override
                    public CompletionStage<Long> handle(Long message, WorkerContext c) {
                        if (message >= SLOW) {
                            CompletableFuture<Long> f = new CompletableFuture<>();
                            c.scheduler().schedule(Duration.ofMillis(message - SLOW), () -> f.complete(total));
                            return f;
                        }
                        total += message;
                        return CompletableFuture.completedFuture(total);
                    }
                };
            }
        };
    }

    static final java.util.function.Function<String, List<WorkerHandler<?, ?, ?>>> TYPES =
            node -> List.of(counter("counter"));
}
