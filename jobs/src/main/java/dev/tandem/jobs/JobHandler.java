package dev.tandem.jobs;

import dev.tandem.cluster.codec.Codec;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A job's code, registered by name on every node that may run it (code never travels between
 * JVMs: only the name and the codec's bytes do). Registered with {@link Jobs.Builder#handler} or
 * found with {@link java.util.ServiceLoader} ({@code provides dev.tandem.jobs.JobHandler with ...}).
 *
 * <p>{@link #run} is called on the node's thread and must not block it: return a stage that
 * completes later (from any thread) for long work. When the job is cancelled or its attempt is
 * fenced off, the returned stage is cancelled (if it is a {@link CompletableFuture}) and
 * {@link JobContext#isCancelled()} turns true.
 *
 * @param <I> input type
 * @param <O> result type
 */
public interface JobHandler<I, O> {

    /** Unique on a node; 1-200 characters. */
    String name();

    Codec<I> inputCodec();

    Codec<O> outputCodec();

    CompletionStage<O> run(I input, JobContext context);

    /** A handler that computes its result synchronously (for quick work). */
    static <I, O> JobHandler<I, O> of(String name, Codec<I> in, Codec<O> out, Function<? super I, ? extends O> body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(body, "body");
        return new JobHandler<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Codec<I> inputCodec() {
                return in;
            }

            @Override
            public Codec<O> outputCodec() {
                return out;
            }

            @Override
            public CompletionStage<O> run(I input, JobContext context) {
                return CompletableFuture.completedFuture(body.apply(input));
            }
        };
    }
}
