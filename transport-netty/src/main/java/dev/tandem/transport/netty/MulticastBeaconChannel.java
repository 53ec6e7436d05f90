package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.runtime.BeaconChannel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link BeaconChannel} over UDP multicast, on the node's event loop.
 *
 * <p>The channel sends with {@code IP_MULTICAST_IF} set to one interface and joins the group on
 * that same interface only, so beacons never leave through another one: a node bound to loopback
 * talks on {@code lo} and nothing else (without {@code IP_MULTICAST_IF} the kernel would route the
 * group out of the default interface). It listens on the wildcard address at the group's port, as
 * multicast receivers must; anything arriving there is untrusted, which the discovery layer
 * handles by authenticating every beacon.
 *
 * <p>Datagrams are read into buffers one byte larger than {@link #MAX_BEACON_BYTES}; a datagram
 * that fills one was oversized (the kernel truncated it) and is dropped and counted.
 */
final class MulticastBeaconChannel implements BeaconChannel {
    private static final System.Logger LOG = System.getLogger(MulticastBeaconChannel.class.getName());

    private final DatagramChannel channel;
    private final InetSocketAddress group;
    private final NetworkInterface networkInterface;
    private final Counter received;
    private final Counter oversized;
    private final Counter sendFailures;
    private final Counter receiverFailures;
    private volatile Consumer<byte[]> receiver;
    private boolean sendFailureLogged;

    private MulticastBeaconChannel(DatagramChannel channel, InetSocketAddress group, NetworkInterface networkInterface,
                                   MeterRegistry meters) {
        this.channel = channel;
        this.group = group;
        this.networkInterface = networkInterface;
        this.received = Counter.builder("tandem.beacons.received").register(meters);
        this.oversized = Counter.builder("tandem.beacons.dropped").tag("reason", "oversized").register(meters);
        this.receiverFailures = Counter.builder("tandem.beacons.dropped").tag("reason", "receiver-failed").register(meters);
        this.sendFailures = Counter.builder("tandem.beacons.send.failures").register(meters);
    }

    /**
     * Opens the channel on {@code loop}: binds the group's port, joins the group on the chosen
     * interface. Must not be called on {@code loop} (it waits).
     *
     * <p>The socket's family is the group's: an IPv6 group gets an IPv6 socket, whose hop limit
     * ({@code IPV6_MULTICAST_HOPS}), interface ({@code IPV6_MULTICAST_IF}) and loop-back
     * ({@code IPV6_MULTICAST_LOOP}) the JDK sets from the same socket options as IPv4's.
     *
     * @param bindHost the transport's bind host, which picks the interface when the settings name
     *                 none, and the default group's family
     * @throws IllegalStateException if the interface cannot be found, cannot carry the group's
     *                               family of multicast, or the group cannot be joined
     * @throws IllegalArgumentException if the settings' group is not of the bind address's family
     */
    static MulticastBeaconChannel open(BeaconSettings settings, String bindHost, EventLoop loop, MeterRegistry meters) {
        InetAddress bind = bindAddress(bindHost);
        InetAddress groupIp = settings.groupFor(bind);
        NetworkInterface nif = resolveInterface(settings, bindHost);
        boolean v6 = groupIp instanceof Inet6Address;
        String where = new NodeAddress(groupIp.getHostAddress(), settings.port()) + " on " + nif.getName();
        checkCanCarry(nif, v6, where);
        Bootstrap b = new Bootstrap().group(loop)
                .channelFactory(() -> new NioDatagramChannel(v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.IP_MULTICAST_IF, nif)
                .option(ChannelOption.IP_MULTICAST_TTL, settings.ttl())
                .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, false)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_BEACON_BYTES + 1))
                .handler(new Receiver());
        InetAddress wildcard;
        try {
            wildcard = InetAddress.getByName(v6 ? "::" : "0.0.0.0");
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
        ChannelFuture bound = b.bind(new InetSocketAddress(wildcard, settings.port()));
        if (!bound.awaitUninterruptibly(10, TimeUnit.SECONDS) || !bound.isSuccess()) {
            bound.channel().close();
            throw new IllegalStateException("cannot open beacon channel " + where + ": " + bound.cause(), bound.cause());
        }
        DatagramChannel ch = (DatagramChannel) bound.channel();
        InetSocketAddress groupAddress = new InetSocketAddress(groupIp, settings.port());
        ChannelFuture joined = ch.joinGroup(groupAddress, nif);
        if (!joined.awaitUninterruptibly(10, TimeUnit.SECONDS) || !joined.isSuccess()) {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot join beacon group " + where + ": " + joined.cause(), joined.cause());
        }
        MulticastBeaconChannel beacons = new MulticastBeaconChannel(ch, groupAddress, nif, meters);
        ch.pipeline().get(Receiver.class).owner = beacons;
        LOG.log(System.Logger.Level.INFO, () -> "beacons on " + where + ", " + (v6 ? "hop limit " : "TTL ") + settings.ttl());
        return beacons;
    }

    /**
     * Refuses IPv6 multicast on an interface without the MULTICAST flag. Linux's loopback has none:
     * IPv4 multicast still works there once {@code IP_MULTICAST_IF} names it, but IPv6 multicast
     * does not (measured: every send fails with "Network is unreachable", even with the flag
     * turned on and an {@code ff00::/8} route added), so a node would start and never hear anyone.
     */
    static void checkCanCarry(NetworkInterface nif, boolean v6, String where) {
        try {
            if (v6 && !nif.supportsMulticast()) {
                throw new IllegalStateException("cannot send IPv6 beacons " + where + ": interface " + nif.getName()
                        + " does not support multicast" + (nif.isLoopback() ? " (Linux sends no IPv6 multicast on"
                        + " loopback; IPv4 multicast works there)" : "") + "; bind to an address of a multicast"
                        + " interface, or to IPv4 loopback (127.0.0.1) with an IPv4 group, or use discovery"
                        + " 'static' with seeds");
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot inspect beacon interface " + nif.getName() + ": " + e.getMessage(), e);
        }
    }

    /** The bind host as an address; the transport has already bound it, so a name resolves. */
    private static InetAddress bindAddress(String bindHost) {
        try {
            return InetAddress.getByName(bindHost.indexOf(':') >= 0 ? "[" + bindHost + "]" : bindHost);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot choose beacons for bind host " + bindHost + ": " + e.getMessage(), e);
        }
    }

    /** The named interface, else the one carrying {@code bindHost} (loopback for a loopback bind). */
    static NetworkInterface resolveInterface(BeaconSettings settings, String bindHost) {
        try {
            if (settings.interfaceName().isPresent()) {
                String name = settings.interfaceName().get();
                NetworkInterface nif = NetworkInterface.getByName(name);
                if (nif == null) {
                    throw new IllegalStateException("beacon interface '" + name + "' does not exist");
                }
                return nif;
            }
            InetAddress bind = bindAddress(bindHost);
            if (bind.isAnyLocalAddress()) {
                throw new IllegalStateException("the transport binds to every interface (" + bindHost
                        + "): name the beacon interface in BeaconSettings.withInterface(...)");
            }
            NetworkInterface nif = NetworkInterface.getByInetAddress(bind);
            if (nif == null) {
                throw new IllegalStateException("no network interface carries the bind address " + bindHost
                        + ": name the beacon interface in BeaconSettings.withInterface(...)");
            }
            return nif;
        } catch (SocketException e) {
            throw new IllegalStateException("cannot choose a beacon interface for " + bindHost + ": " + e.getMessage(), e);
        }
    }

    /** The group and port beacons go to. */
    InetSocketAddress group() {
        return group;
    }

    @Override
    public void broadcast(byte[] beacon) {
        Objects.requireNonNull(beacon, "beacon");
        if (beacon.length > MAX_BEACON_BYTES) {
            throw new IllegalArgumentException("beacon of " + beacon.length + " bytes exceeds " + MAX_BEACON_BYTES);
        }
        byte[] copy = beacon.clone();
        if (channel.eventLoop().inEventLoop()) {
            write(copy);
        } else {
            channel.eventLoop().execute(() -> write(copy));
        }
    }

    private void write(byte[] beacon) {
        if (!channel.isActive()) {
            return;
        }
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(beacon), group)).addListener(f -> {
            if (!f.isSuccess()) {
                sendFailures.increment();
                System.Logger.Level level = sendFailureLogged ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
                sendFailureLogged = true;
                LOG.log(level, () -> "cannot send a beacon to " + group + " on " + networkInterface.getName() + ": "
                        + f.cause());
            }
        });
    }

    @Override
    public void onBeacon(Consumer<byte[]> receiver) {
        this.receiver = Objects.requireNonNull(receiver, "receiver");
    }

    /** The interface beacons use. */
    NetworkInterface networkInterface() {
        return networkInterface;
    }

    /** Leaves the group and closes the socket, waiting for it. Idempotent; not on the event loop. */
    void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Starts closing without waiting; for callers on the event loop. */
    void channelClose() {
        channel.close();
    }

    private void deliver(ByteBuf content) {
        if (content.readableBytes() > MAX_BEACON_BYTES) {
            oversized.increment();
            return;
        }
        received.increment();
        Consumer<byte[]> r = receiver;
        if (r == null) {
            return;
        }
        try {
            r.accept(ByteBufUtil.getBytes(content));
        } catch (RuntimeException e) {
            receiverFailures.increment();
            LOG.log(System.Logger.Level.DEBUG, () -> "beacon receiver threw " + e);
        }
    }

    /** Hands datagrams to the channel object once it exists; drops any that arrive before. */
    private static final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {
        volatile MulticastBeaconChannel owner;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            MulticastBeaconChannel o = owner;
            if (o != null) {
                o.deliver(packet.content());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(System.Logger.Level.DEBUG, () -> "beacon channel error: " + cause);
        }
    }
}
