package dev.tandem.jobs;

/** Observes worker events on one node ({@link Jobs.Builder#workerListener}). Called on the node's thread; must not block. */
@FunctionalInterface
public interface WorkerListener {
    WorkerListener NONE = e -> {
    };

    void onEvent(WorkerEvent event);
}
