package dev.tandem.jobs.internal;

import dev.tandem.cluster.NodeId;
import java.util.Arrays;
import java.util.Objects;

/**
 * One copy of a cast's record, as a holder keeps it and as it travels. Immutable.
 *
 * <p>Records of one job are ordered by {@code (attempt, epoch, executor, backup)}: a holder always keeps
 * the greater one, so two holders that saw different reassignments (a partition) converge on the
 * same record deterministically. {@code done} of a record counts only if {@code resultAttempt ==
 * attempt}: a result is accepted only from the current attempt (the fence).
 *
 * @param jobId         the job's id
 * @param name          handler name
 * @param input         encoded input
 * @param attempt       execution number, raised on every restart after the executor died
 * @param epoch         the record's fencing epoch: raised on every change of its holders or attempt
 * @param executor      the node assigned this attempt (a holder)
 * @param backup        the other holder; it restarts the job if the executor dies
 * @param state         0 pending, 1 done, 2 failed
 * @param ranOn         for done/failed: the node whose result was accepted (else the executor)
 * @param result        encoded result, or the failure's message as UTF-8
 */
record Record(String jobId, String name, byte[] input, int attempt, long epoch, NodeId executor, NodeId backup,
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
        if (attempt < 1 || epoch < 1 || state < 0 || state > 2) {
            throw new IllegalArgumentException("invalid record " + jobId + " attempt " + attempt + " epoch " + epoch
                    + " state " + state);
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

    /** Order of records of one job: attempt, then epoch, then executor, then backup. */
    int compareOrder(Record o) {
        return order(attempt, epoch, executor, backup, o.attempt, o.epoch, o.executor, o.backup);
    }

    /** This record against the one an acknowledgement describes, in the same order. */
    int compareOrder(Messages.RecordAck a) {
        return order(attempt, epoch, executor, backup, a.attempt(), a.epoch(), a.executor(), a.backup());
    }

    private static int order(int attempt, long epoch, NodeId executor, NodeId backup,
                             int oAttempt, long oEpoch, NodeId oExecutor, NodeId oBackup) {
        int c = Integer.compare(attempt, oAttempt);
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
        return a.attempt() == attempt && a.epoch() == epoch && a.state() == state && a.executor().equals(executor)
                && a.backup().equals(backup);
    }

    Messages.RecordAck ack() {
        return new Messages.RecordAck(jobId, attempt, epoch, state, executor, backup);
    }

    Record withHolders(int newAttempt, long newEpoch, NodeId newExecutor, NodeId newBackup) {
        return new Record(jobId, name, input, newAttempt, newEpoch, newExecutor, newBackup, state, ranOn, result);
    }

    Record finish(int newState, NodeId node, byte[] bytes) {
        return new Record(jobId, name, input, attempt, epoch, executor, backup, newState, node, bytes);
    }

    Record reopened() {
        return new Record(jobId, name, input, attempt, epoch, executor, backup, PENDING, executor, new byte[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && r.jobId.equals(jobId) && r.name.equals(name) && Arrays.equals(r.input, input)
                && r.attempt == attempt && r.epoch == epoch && r.executor.equals(executor) && r.backup.equals(backup)
                && r.state == state && r.ranOn.equals(ranOn) && Arrays.equals(r.result, result);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, attempt, epoch, executor, state);
    }

    @Override
    public String toString() {
        return jobId + "{" + name + " a" + attempt + " e" + epoch + " exec " + executor + " backup " + backup
                + (state == DONE ? " DONE by " + ranOn : state == FAILED ? " FAILED on " + ranOn : " pending") + "}";
    }
}
