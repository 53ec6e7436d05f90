/**
 * Tandem's two-copy replicated key/value store.
 *
 * <p>The exported package {@code dev.tandem.store.api} holds what applications use
 * ({@link dev.tandem.store.api.KeyValueStore}, {@link dev.tandem.store.api.Stores}, the config and
 * the errors). The protocol lives in the non-exported {@code dev.tandem.store.internal} package
 * and reaches the world only through {@link dev.tandem.cluster.runtime.NodeContext}, so the
 * deterministic simulator runs exactly the code production runs.
 */
module dev.tandem.store {
    requires transitive dev.tandem.cluster.api;

    exports dev.tandem.store.api;
    // Only the simulator scenarios may look inside a node (local copies, sabotage switches).
    exports dev.tandem.store.internal to dev.tandem.store.sim;
}
