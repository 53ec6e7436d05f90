/**
 * A running Tandem node: {@link dev.tandem.node.TandemNode} wires the Netty runtime and the
 * strategies chosen by name (discovery, placement, job scheduling), the two-copy store and the
 * jobs node into one {@code AutoCloseable}, with cluster-wide store figures and an optional
 * Prometheus scrape endpoint.
 */
module dev.tandem.node {
    requires transitive dev.tandem.cluster.api;
    requires transitive dev.tandem.transport.netty;
    requires transitive dev.tandem.store;
    requires transitive dev.tandem.jobs;
    // The scrape endpoint: Netty's HTTP codec and Micrometer's Prometheus registry (automatic
    // module). Only here, never in the protocol modules.
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.transport;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.handler;
    requires micrometer.registry.prometheus;
    // Micrometer's JVM and process meters on the scrape endpoint read the platform MXBeans;
    // jdk.management has the GC notifications and the process CPU figures. Micrometer is an
    // automatic module and requires neither; today service binding from java.base happens to
    // resolve both, this says so instead of relying on it.
    requires java.management;
    requires jdk.management;

    exports dev.tandem.node;
}
