/**
 * The production side of Tandem's sans-IO seams: a Netty TCP {@link dev.tandem.cluster.runtime.Transport}
 * with an HMAC-authenticated handshake (and optional TLS), UDP multicast
 * {@link dev.tandem.cluster.runtime.BeaconChannel beacons}, and a node runtime that runs each node on
 * one Netty event loop.
 *
 * <p>This is the IO layer: it owns threads, sockets and the system clocks. Nothing in it is needed by
 * the simulator, which backs the same seams with virtual time.
 */
module dev.tandem.transport.netty {
    requires transitive dev.tandem.cluster.api;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;

    exports dev.tandem.transport.netty;
}
