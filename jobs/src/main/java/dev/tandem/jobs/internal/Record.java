package dev.tandem.jobs.internal;

import dev.tandem.cluster.NodeId;
import java.util.Arrays;
import java.util.Objects;

/**
 * One copy of a cast's record, as a holder keeps it and as it travels. Immutable.
 *
 * <p>Records of one job are ordered by {@code (lineage, attempt, epoch, executor, backup)} (worker
 * registrations: a stopped one before running ones of its lineage, see {@link #compareOrder(Record)}):
 * a holder always keeps the greater one, so two holders that saw different reassignments (a partition)
 * converge on the same record deterministically. {@code done} of a record counts only if {@code
 * resultAttempt == attempt}: a result is accepted only from the current attempt (the fence).
 *
 * <p>The lineage tells registrations of one worker name made by different {@code startWorker} calls
 * apart: the calling node stamps the request with its lineage clock ({@code JobNode}: a hybrid
 * logical clock, so a start issued after that node heard, directly or through any chain of messages,
 * of a registration has a greater lineage than that registration), the name's home records the
 * registration with it (or with a later stamp of its own if it knows a newer registration), and
 * every repair, reassignment and stop of the registration keeps it. Ordered first, it makes a start
 * issued after a stop win over the stopped registration even where the deciding home never heard of
 * it and so counted incarnations from 1 again, while a stop (same lineage, same order, finished)
 * still wins over every copy of the registration it stopped. A partner's repair of a start's record,
 * and the record another home made of the same request, have the start's lineage, so a home can tell
 * them from a registration made by another start. Casts do not use it (0).
 *
 * @param jobId         the job's id
 * @param name          handler name
 * @param input         encoded input
 * @param lineage       worker registrations: the start that made it (see above); casts: 0
 * @param attempt       execution number, raised on every restart after the executor died
 * @param epoch         the record's fencing epoch: raised on every change of its holders or attempt
 * @param executor      the node assigned this attempt (a holder)
 * @param backup        the other holder; it restarts the job if the executor dies
 * @param state         0 pending, 1 done, 2 failed
 * @param ranOn         for done/failed: the node whose result was accepted (else the executor)
 * @param result        encoded result, or the failure's message as UTF-8
 */
record Record(String jobId, String name, byte[] input, long lineage, int attempt, long epoch, NodeId executor, NodeId backup,
              int state, NodeId ranOn, byte[] result) {
    static final int PENDING = 0;
    static final int DONE = 1;
    static final int FAILED = 2;

    Record {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(ranOn, "ranOn");
        Objects.requireNonNull(result, "result");
        if (attempt < 1 || epoch < 1 || state < 0 || state > 2 || lineage < 0) {
            throw new IllegalArgumentException("invalid record " + jobId + " lineage " + lineage + " attempt " + attempt
                    + " epoch " + epoch + " state " + state);
        }
    }

    boolean finished() {
        return state != PENDING;
    }

    boolean holds(NodeId id) {
        return executor.equals(id) || backup.equals(id);
    }

    NodeId partnerOf(NodeId self) {
        return executor.equals(self) ? backup : executor;
    }

    /**
     * Order of records of one job: lineage, then (worker registrations only) stopped or failed before
     * running, then attempt, then epoch, then executor, then backup. A worker's lineage ends with its
     * stop: no copy of the registration the stop finished, repaired or restarted elsewhere before it
     * heard of the stop (a partner that lost sight of the stopping holder, or a second home that recorded
     * the same start request when its starter resent it), may undo it.
     */
    int compareOrder(Record o) {
        return order(jobId, lineage, state, attempt, epoch, executor, backup, o.lineage, o.state, o.attempt, o.epoch,
                o.executor, o.backup);
    }

    /** This record against the one an acknowledgement describes, in the same order. */
    int compareOrder(Messages.RecordAck a) {
        return order(jobId, lineage, state, attempt, epoch, executor, backup, a.lineage(), a.state(), a.attempt(),
                a.epoch(), a.executor(), a.backup());
    }

    private static int order(String jobId, long lineage, int state, int attempt, long epoch, NodeId executor,
                             NodeId backup, long oLineage, int oState, int oAttempt, long oEpoch, NodeId oExecutor,
                             NodeId oBackup) {
        int c = Long.compare(lineage, oLineage);
        if (c == 0 && jobId.startsWith(JobNode.WORKER)) {
            c = Boolean.compare(state != PENDING, oState != PENDING);
        }
        if (c == 0) {
            c = Integer.compare(attempt, oAttempt);
        }
        if (c == 0) {
            c = Long.compare(epoch, oEpoch);
        }
        if (c == 0) {
            c = executor.compareTo(oExecutor);
        }
        return c != 0 ? c : backup.compareTo(oBackup);
    }

    /** Whether this record is the one an acknowledgement describes. */
    boolean matches(Messages.RecordAck a) {
        return a.lineage() == lineage && a.attempt() == attempt && a.epoch() == epoch && a.state() == state && a.executor().equals(executor)
                && a.backup().equals(backup);
    }

    Messages.RecordAck ack() {
        return new Messages.RecordAck(jobId, lineage, attempt, epoch, state, executor, backup);
    }

    Record withHolders(int newAttempt, long newEpoch, NodeId newExecutor, NodeId newBackup) {
        return new Record(jobId, name, input, lineage, newAttempt, newEpoch, newExecutor, newBackup, state, ranOn, result);
    }

    Record finish(int newState, NodeId node, byte[] bytes) {
        return new Record(jobId, name, input, lineage, attempt, epoch, executor, backup, newState, node, bytes);
    }

    Record reopened() {
        return new Record(jobId, name, input, lineage, attempt, epoch, executor, backup, PENDING, executor, new byte[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && r.jobId.equals(jobId) && r.name.equals(name) && Arrays.equals(r.input, input)
                && r.lineage == lineage && r.attempt == attempt && r.epoch == epoch && r.executor.equals(executor) && r.backup.equals(backup)
                && r.state == state && r.ranOn.equals(ranOn) && Arrays.equals(r.result, result);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, lineage, attempt, epoch, executor, state);
    }

    @Override
    public String toString() {
        return jobId + "{" + name + (lineage != 0 ? " L" + lineage : "") + " a" + attempt + " e" + epoch + " exec " + executor + " backup " + backup
                + (state == DONE ? " DONE by " + ranOn : state == FAILED ? " FAILED on " + ranOn : " pending") + "}";
    }
}
