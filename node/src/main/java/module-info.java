/**
 * A running Tandem node: {@link dev.tandem.node.TandemNode} wires the Netty runtime and the
 * strategies chosen by name (discovery, placement) into one {@code AutoCloseable}.
 */
module dev.tandem.node {
    requires transitive dev.tandem.cluster.api;
    requires transitive dev.tandem.transport.netty;

    exports dev.tandem.node;
}
