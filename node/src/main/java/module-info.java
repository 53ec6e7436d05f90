/**
 * A running Tandem node: {@link dev.tandem.node.TandemNode} wires the Netty runtime and the
 * strategies chosen by name (discovery, placement, job scheduling), the two-copy store and the
 * jobs node into one {@code AutoCloseable}.
 */
module dev.tandem.node {
    requires transitive dev.tandem.cluster.api;
    requires transitive dev.tandem.transport.netty;
    requires transitive dev.tandem.store;
    requires transitive dev.tandem.jobs;

    exports dev.tandem.node;
}
