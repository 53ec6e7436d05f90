package dev.tandem.jobs;

import java.util.Objects;

/**
 * Something that happened to a worker instance on this node, as a {@link WorkerListener} sees it.
 *
 * @param kind     what happened
 * @param instance the instance it happened to (this node, its incarnation and epoch)
 * @param detail   one line: why (for {@link Kind#DUPLICATE_STOPPED}: the winning instance)
 */
public record WorkerEvent(Kind kind, WorkerInfo instance, String detail) {

    public enum Kind {
        /** An instance started here (first start or a restart after its node was lost). */
        STARTED,
        /** This node restarted a worker whose node was lost (it chose the new node; it may not run it itself). */
        RESTARTED,
        /** The instance here stopped because of {@link WorkerService#stopWorker}. */
        STOPPED,
        /**
         * The instance here stopped because a newer instance of the same name exists elsewhere (two
         * ran at once: a partition healed, or this node was falsely declared dead): the greater
         * registration (incarnation, epoch, node, backup) wins and the loser stops.
         */
        DUPLICATE_STOPPED,
        /** The worker's start threw (or this node lacks its type): it is FAILED and not restarted. */
        FAILED
    }

    public WorkerEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(detail, "detail");
    }
}
