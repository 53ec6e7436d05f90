package dev.tandem.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Named long-lived workers: one instance per name in the cluster, found by name from any node,
 * restarted elsewhere when its node is lost. Methods may be called from any thread; the work hops
 * onto the node's thread and the futures complete there. Failures are {@link JobException}s.
 *
 * <p>Guarantees: a started worker's registration is on two nodes (its node and a backup), so it
 * survives the loss of either; once membership is stable at most one instance of a name runs; a
 * restart gets a higher incarnation and epoch, and an instance that learns of a newer one stops
 * (messages for it and its replies are refused). During a partition each side may run one (AP);
 * when it heals the greater registration (incarnation, epoch, node, backup) wins and the other
 * stops ({@link WorkerEvent.Kind#DUPLICATE_STOPPED}, {@code tandem.workers.duplicates.resolved}).
 */
public interface WorkerService {

    /**
     * Starts a worker of {@code type} named {@code name}: the name's home node (its first placement
     * owner) records it on two nodes — the node the {@code JobScheduler} picks to run it, and a backup
     * — and the future completes once both hold the registration.
     *
     * <p>Fails: {@code UNKNOWN_JOB} at once if {@code type} is not registered here; {@code
     * ALREADY_STARTED} if a registration of the name exists (running, on a live node; the message
     * names where); {@code NO_NODES} with fewer than two live nodes; {@code REJECTED} if the home holds
     * {@link WorkersConfig#maxWorkers()} running registrations (stopped ones do not count); {@code NOT_ACKNOWLEDGED} if not confirmed in time (it may
     * still start). Starting a name again after it was stopped starts a new incarnation.
     */
    <A> CompletableFuture<WorkerInfo> startWorker(String type, String name, A arg);

    /** Where the worker runs now (from the nodes holding its registration), or empty if none runs. */
    CompletableFuture<Optional<WorkerInfo>> whereis(String name);

    /**
     * Delivers {@code message} into the current instance's mailbox; completes once it is there.
     * Fails {@code NO_SUCH_WORKER} (nothing runs under that name), {@code REJECTED} (mailbox full),
     * {@code TIMEOUT}. A stale instance (one that a newer one superseded) refuses it and the message
     * goes to the newer one.
     */
    <M> CompletableFuture<Void> send(String name, M message);

    /** Like {@link #send}, then waits for the handler's reply; {@code TIMEOUT} after {@code timeout}. */
    <M, R> CompletableFuture<R> ask(String name, M message, Duration timeout);

    /** {@link #ask(String, Object, Duration)} with the node's {@link WorkersConfig#askTimeout()}. */
    <M, R> CompletableFuture<R> ask(String name, M message);

    /**
     * Stops the worker: completes once its registration is STOPPED on both of its holders (so a
     * concurrent restart by the other holder cannot undo it) and the instance has stopped. {@code
     * NO_SUCH_WORKER} if none runs; {@code TIMEOUT} if not confirmed in time (it may still stop).
     *
     * <p>A stop is final against late copies of what came before it (a holder's resend of the
     * running registration, a start request already answered) for at least {@link
     * dev.tandem.jobs.JobsConfig#finishedRetention()} after both holders hold it stopped (shorter
     * only beyond {@link dev.tandem.jobs.JobsConfig#maxFinishedRecords()} stopped registrations on a
     * node); then the holders forget the registration ({@code tandem.workers.expired}) and still
     * answer such copies from their memory of forgotten records (4,096 per node) while it lasts. A
     * new {@link #startWorker} of the name is never held back by a stop: it starts the name again.
     */
    CompletableFuture<Void> stopWorker(String name);

    /**
     * Every registration the live nodes hold (running, and stopped or failed ones not yet forgotten),
     * the newest per name, sorted by name.
     */
    CompletableFuture<List<WorkerInfo>> workers();

    /** Worker types registered on this node, sorted. */
    List<String> workerTypes();
}
