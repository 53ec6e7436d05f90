package dev.tandem.jobs;

import dev.tandem.cluster.codec.Codec;

/**
 * A type of named long-lived worker (the seed's "GenServers instead of Tasks"), registered by type
 * name on every node that may run one, like a {@link JobHandler}: code never travels between JVMs,
 * only the type name and the codecs' bytes do. Registered with {@link Jobs.Builder#worker} or
 * found with {@link java.util.ServiceLoader} ({@code provides dev.tandem.jobs.WorkerHandler with ...}).
 *
 * <p>{@link #start} is called on the node's thread each time an instance starts on this node (the
 * first start, or a restart after the node that ran it was lost), with the start argument given to
 * {@link WorkerService#startWorker}. It must not block. State kept by an instance is the instance's
 * own: a restart elsewhere begins again from the start argument.
 *
 * @param <A> start argument
 * @param <M> message type
 * @param <R> reply type (of {@link WorkerService#ask})
 */
public interface WorkerHandler<A, M, R> {

    /** Unique on a node; 1-200 bytes of UTF-8. */
    String type();

    Codec<A> argCodec();

    Codec<M> messageCodec();

    Codec<R> replyCodec();

    /** A new instance; throwing marks the worker FAILED (it is not restarted). */
    Worker<M, R> start(A arg, WorkerContext context);
}
