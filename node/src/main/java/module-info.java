/**
 * A running Tandem node: {@link dev.tandem.node.TandemNode} wires the Netty runtime and the
 * strategies chosen by name (discovery, placement) and the two-copy store into one
 * {@code AutoCloseable}.
 */
module dev.tandem.node {
    requires transitive dev.tandem.cluster.api;
    requires transitive dev.tandem.transport.netty;
    requires transitive dev.tandem.store;

    exports dev.tandem.node;
}
