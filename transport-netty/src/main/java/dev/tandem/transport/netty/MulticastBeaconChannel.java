package dev.tandem.transport.netty;

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
     * @param bindHost the transport's bind host, which picks the interface when the settings name none
     * @throws IllegalStateException if the interface cannot be found or the group cannot be joined
     */
    static MulticastBeaconChannel open(BeaconSettings settings, String bindHost, EventLoop loop, MeterRegistry meters) {
        NetworkInterface nif = resolveInterface(settings, bindHost);
        boolean v6 = settings.group() instanceof Inet6Address;
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
        String where = settings.group().getHostAddress() + ":" + settings.port() + " on " + nif.getName();
        if (!bound.awaitUninterruptibly(10, TimeUnit.SECONDS) || !bound.isSuccess()) {
            bound.channel().close();
            throw new IllegalStateException("cannot open beacon channel " + where + ": " + bound.cause(), bound.cause());
        }
        DatagramChannel ch = (DatagramChannel) bound.channel();
        InetSocketAddress groupAddress = new InetSocketAddress(settings.group(), settings.port());
        ChannelFuture joined = ch.joinGroup(groupAddress, nif);
        if (!joined.awaitUninterruptibly(10, TimeUnit.SECONDS) || !joined.isSuccess()) {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot join beacon group " + where + ": " + joined.cause(), joined.cause());
        }
        MulticastBeaconChannel beacons = new MulticastBeaconChannel(ch, groupAddress, nif, meters);
        ch.pipeline().get(Receiver.class).owner = beacons;
        LOG.log(System.Logger.Level.INFO, () -> "beacons on " + where + ", TTL " + settings.ttl());
        return beacons;
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
            InetAddress bind = InetAddress.getByName(bindHost);
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
        } catch (UnknownHostException | SocketException e) {
            throw new IllegalStateException("cannot choose a beacon interface for " + bindHost + ": " + e.getMessage(), e);
        }
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
