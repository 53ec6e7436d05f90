package dev.tandem.store.internal;

/**
 * Deliberate protocol breakages, used only to prove that the invariant checkers catch them (the
 * simulator's {@code --sabotage NAME}). {@link #NONE} in every real node.
 */
enum Sabotage {
    NONE,
    /** Acknowledge a put as soon as one node holds it. */
    ACK_AFTER_ONE_COPY,
    /** Drop a handed-off partition without waiting for the new owners to confirm. */
    DROP_BEFORE_CONFIRM,
    /** Never run anti-entropy. */
    SKIP_ANTI_ENTROPY,
    /** Replicas apply whatever arrives last instead of the highest version. */
    IGNORE_VERSIONS
}
