package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.MessageHandler;
import dev.tandem.cluster.runtime.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.net.ssl.SSLException;

/**
 * {@link Transport} over TCP with Netty, every channel of it on the node's one event loop.
 *
 * <h2>Connections</h2>
 * A peer is known by the {@link NodeAddress} local code sends to. The first {@code send} to it
 * queues the message (bounded) and dials; once the {@link Handshake} proves both sides hold the
 * cluster secret, the queue is written out and later sends write straight to the channel. If the
 * attempt fails the queue is dropped (and counted: the contract allows loss, protocols retry) and
 * the next attempt waits a capped exponential backoff with jitter. Reconnection is driven by
 * sends: a peer nobody sends to costs nothing, a dead peer someone keeps sending to costs one
 * connect attempt per backoff period.
 *
 * <p>Both peers may dial each other at once. Each then holds two authenticated connections and
 * keeps the same one: a newer incarnation of the peer always wins; between connections to the
 * same incarnation, the one dialled by the node with the smaller advertised address wins. Until
 * the loser closes, frames arriving on it are still delivered.
 *
 * <h2>Flushes</h2>
 * A write never flushes. The first write of an event-loop turn queues one flush task that flushes
 * every connection written to since, so a burst of sends (or the replies to one read batch) costs
 * one system call per connection rather than one per message.
 *
 * <h2>Hints</h2>
 * When the active connection to a peer is closed or half-closed by its end, or a connection
 * attempt is refused (not timed out), the {@link #onUnreachable} listeners hear the peer's address
 * — what a {@code kill -9} looks like from here. It is a hint for membership to probe sooner, never
 * a verdict: the same happens when the peer retires a duplicate connection.
 *
 * <h2>Back-pressure</h2>
 * {@link #isWritable} is Netty's channel writability (water marks from the settings); a send to a
 * connection that is not writable is dropped and counted, so memory per peer stays bounded by the
 * high water mark plus one message.
 *
 * <p>Threading: every method except {@link #send} and {@link #bind} must be called on the event
 * loop; {@code send} from another thread hops onto it.
 */
final class NettyTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(NettyTransport.class.getName());
    private static final int MAX_LOGGED_REFUSALS = 1024;

    /** Why a connection was refused during its handshake; the metric's {@code reason} tag. */
    enum Refusal {
        CLUSTER, SECRET, PROTOCOL, TIMEOUT, SELF, TLS, CAPACITY;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Why a message was dropped; the metric's {@code reason} tag. */
    enum Drop {
        QUEUE_FULL, BACKPRESSURE, UNREACHABLE, NO_HANDLER, HANDLER_FAILED, CLOSED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Connection state for one peer address. Touched only on the event loop. */
    static final class Peer {
        final NodeAddress address;
        Channel active;
        NodeId activeId;
        boolean activeDialledByUs;
        Channel connecting;
        /** A host name lookup for this peer is running off the event loop. */
        boolean resolving;
        ScheduledFuture<?> retry;
        int failures;
        long nextAttemptNanos;
        final ArrayDeque<Frame> pending = new ArrayDeque<>();
        long pendingBytes;
        boolean dirty;

        Peer(NodeAddress address) {
            this.address = address;
        }
    }

    private final NodeId self;
    private final TransportSettings settings;
    private final byte[] secret;
    private final EventLoop loop;
    private final SslContext serverTls;
    private final SslContext clientTls;
    private final WriteBufferWaterMark waterMark;
    private final SecureRandom nonces = new SecureRandom();
    private final ChannelGroup channels;
    private final Map<NodeAddress, Peer> peers = new HashMap<>();
    private final AtomicReferenceArray<MessageHandler> handlers = new AtomicReferenceArray<>(256);
    private final ArrayDeque<Peer> dirty = new ArrayDeque<>();
    /** Connections retired as duplicates, still draining (event loop only). */
    private final java.util.Set<Channel> retired = new java.util.HashSet<>();
    private final Runnable flushTask = this::flushDirty;
    private final java.util.List<java.util.function.Consumer<NodeAddress>> unreachableListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Boolean> logged = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_LOGGED_REFUSALS;
        }
    };
    private boolean flushScheduled;
    private int handshakingInbound;
    private volatile int activeConnections;
    private volatile boolean closed;
    private Channel server;
    private volatile NodeAddress localAddress;

    private final Counter sent;
    private final Counter received;
    private final Counter handshakesCompleted;
    private final Counter oversizedFrames;
    private final Counter malformedFrames;
    private final Map<Refusal, Counter> refusals = new EnumMap<>(Refusal.class);
    private final Map<Drop, Counter> drops = new EnumMap<>(Drop.class);

    private NettyTransport(NodeId self, TransportSettings settings, EventLoop loop, MeterRegistry meters) {
        this.self = self;
        this.settings = settings;
        this.secret = settings.clusterSecret();
        this.loop = loop;
        this.waterMark = new WriteBufferWaterMark(settings.writeBufferLowWaterMarkBytes(),
                settings.writeBufferHighWaterMarkBytes());
        this.channels = new DefaultChannelGroup("tandem-transport-" + self.name(), loop);
        if (settings.tls().isPresent()) {
            try {
                serverTls = settings.tls().get().serverContext();
                clientTls = settings.tls().get().clientContext();
            } catch (SSLException e) {
                throw new IllegalArgumentException("TLS settings unusable: " + e.getMessage(), e);
            }
        } else {
            serverTls = null;
            clientTls = null;
        }
        sent = Counter.builder("tandem.transport.messages.sent").register(meters);
        received = Counter.builder("tandem.transport.messages.received").register(meters);
        handshakesCompleted = Counter.builder("tandem.transport.handshakes.completed").register(meters);
        oversizedFrames = Counter.builder("tandem.transport.frames.rejected").tag("reason", "oversized")
                .description("inbound frames over the size limit; each closed its connection").register(meters);
        malformedFrames = Counter.builder("tandem.transport.frames.rejected").tag("reason", "malformed")
                .description("inbound frames that did not parse; each closed its connection").register(meters);
        for (Refusal r : Refusal.values()) {
            refusals.put(r, Counter.builder("tandem.transport.handshakes.refused").tag("reason", r.tag()).register(meters));
        }
        for (Drop d : Drop.values()) {
            drops.put(d, Counter.builder("tandem.transport.messages.dropped").tag("reason", d.tag()).register(meters));
        }
        Gauge.builder("tandem.transport.connections", this, t -> t.activeConnections)
                .description("authenticated connections in use").register(meters);
    }

    /**
     * Binds the listening socket and returns the running transport, logging where it listens at
     * {@code level}. Must not be called on {@code loop} (it waits for the bind).
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    static NettyTransport start(NodeId self, TransportSettings settings, EventLoop loop, MeterRegistry meters,
                                System.Logger.Level level) {
        NettyTransport t = new NettyTransport(self, settings, loop, meters);
        ServerBootstrap b = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 128)
                .handler(new ChannelInboundHandlerAdapter() {
                    // Runs on the loop when the bind completes, before any connection is accepted,
                    // so every handshake sees the advertised address.
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        int port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
                        t.localAddress = new NodeAddress(settings.effectiveAdvertisedHost(), port);
                        ctx.fireChannelActive();
                    }
                })
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, t.waterMark)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        t.accepted(ch);
                    }
                });
        ChannelFuture bound = b.bind(settings.bindHost(), settings.port());
        if (!bound.awaitUninterruptibly(10, TimeUnit.SECONDS) || !bound.isSuccess()) {
            bound.channel().close();
            throw new IllegalStateException("cannot listen on " + new NodeAddress(settings.bindHost(), settings.port()) + ": "
                    + (bound.cause() == null ? "timed out" : bound.cause().getMessage()), bound.cause());
        }
        t.server = bound.channel();
        t.channels.add(t.server);
        // The same value the server's channelActive sets; that one may not have run yet.
        t.localAddress = new NodeAddress(settings.effectiveAdvertisedHost(),
                ((InetSocketAddress) t.server.localAddress()).getPort());
        LOG.log(level, () -> "node " + self + " transport listening on " + t.server.localAddress()
                + ", advertised as " + t.localAddress + (settings.tls().isPresent() ? " (TLS)" : ""));
        return t;
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public NodeAddress localAddress() {
        return localAddress;
    }

    @Override
    public void send(NodeAddress to, int channel, byte[] payload) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(payload, "payload");
        if (channel < 0 || channel > 255) {
            throw new IllegalArgumentException("channel must be 0-255, was " + channel);
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
        }
        Frame frame = new Frame(channel, payload);
        if (loop.inEventLoop()) {
            sendOnLoop(to, frame);
        } else {
            loop.execute(() -> sendOnLoop(to, frame));
        }
    }

    @Override
    public void bind(int channel, MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (channel < 0 || channel > 255) {
            throw new IllegalArgumentException("channel must be 0-255, was " + channel);
        }
        if (!handlers.compareAndSet(channel, null, handler)) {
            throw new IllegalStateException("channel " + channel + " already has a handler");
        }
    }

    @Override
    public void onUnreachable(java.util.function.Consumer<NodeAddress> listener) {
        unreachableListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Tells the listeners that {@code peer}'s connection was closed by its end or refused. */
    private void hintUnreachable(NodeAddress peer) {
        if (closed) {
            return;
        }
        for (java.util.function.Consumer<NodeAddress> l : unreachableListeners) {
            try {
                l.accept(peer);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "node " + self + ": an unreachable-peer listener threw", e);
            }
        }
    }

    @Override
    public boolean isWritable(NodeAddress to) {
        requireLoop();
        Peer peer = peers.get(to);
        if (peer == null) {
            return true;
        }
        if (peer.active != null) {
            return peer.active.isWritable();
        }
        return peer.pending.size() < settings.maxPendingMessagesPerPeer()
                && peer.pendingBytes < settings.maxPendingBytesPerPeer();
    }

    // ---------------------------------------------------------------- sending

    private void sendOnLoop(NodeAddress to, Frame frame) {
        if (closed) {
            drop(Drop.CLOSED, 1);
            return;
        }
        if (to.equals(localAddress)) {
            // Loop back without a socket, after the current task, like any other delivery.
            loop.execute(() -> deliver(localAddress, frame));
            sent.increment();
            return;
        }
        Peer peer = peers.computeIfAbsent(to, Peer::new);
        Channel ch = peer.active;
        if (ch != null) {
            if (!ch.isWritable()) {
                drop(Drop.BACKPRESSURE, 1);
                return;
            }
            ch.write(frame, ch.voidPromise());
            sent.increment();
            markDirty(peer);
            return;
        }
        int size = frame.payload().length;
        if (!peer.pending.isEmpty() && (peer.pending.size() >= settings.maxPendingMessagesPerPeer()
                || peer.pendingBytes + size > settings.maxPendingBytesPerPeer())) {
            drop(Drop.QUEUE_FULL, 1);
            return;
        }
        peer.pending.add(frame);
        peer.pendingBytes += size;
        ensureConnecting(peer);
    }

    private void markDirty(Peer peer) {
        if (!peer.dirty) {
            peer.dirty = true;
            dirty.add(peer);
            if (!flushScheduled) {
                flushScheduled = true;
                loop.execute(flushTask);
            }
        }
    }

    /** Flushes the connections written to in this task now (the queued flush task then finds none). */
    @Override
    public void flush() {
        if (!dirty.isEmpty()) {
            flushDirty();
        }
    }

    private void flushDirty() {
        flushScheduled = false;
        Peer peer;
        while ((peer = dirty.poll()) != null) {
            peer.dirty = false;
            Channel ch = peer.active;
            if (ch != null) {
                ch.flush();
            }
        }
    }

    // ---------------------------------------------------------------- connecting

    private void ensureConnecting(Peer peer) {
        if (peer.connecting != null || peer.retry != null || peer.resolving) {
            return;
        }
        long waitNanos = peer.nextAttemptNanos - System.nanoTime();
        if (peer.failures == 0 || waitNanos <= 0) {
            connect(peer);
            return;
        }
        peer.retry = loop.schedule(() -> {
            peer.retry = null;
            if (!closed && peer.active == null && peer.connecting == null && !peer.pending.isEmpty()) {
                connect(peer);
            }
        }, waitNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Connects to the peer. A host name is looked up on a separate resolver thread, never on the
     * event loop: a slow or failing DNS lookup (a container whose name just vanished, a resolver
     * timing out) would otherwise stall every timer and message of this node for seconds, long
     * enough for the membership protocol to accuse healthy peers.
     */
    private void connect(Peer peer) {
        String host = peer.address.host();
        // A zone (fe80::1%eth0) names an interface, which the JDK looks up on the resolver thread.
        if (NetUtil.isValidIpV4Address(host) || (NetUtil.isValidIpV6Address(host) && host.indexOf('%') < 0)) {
            connect(peer, new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), peer.address.port()));
            return;
        }
        peer.resolving = true;
        try {
            Resolver.EXECUTOR.execute(() -> {
                InetSocketAddress resolved = new InetSocketAddress(host, peer.address.port());
                try {
                    loop.execute(() -> {
                        peer.resolving = false;
                        if (closed) {
                            return;
                        }
                        if (resolved.isUnresolved()) {
                            attemptFailed(peer, null, "cannot resolve host name " + host);
                        } else {
                            connect(peer, resolved);
                        }
                    });
                } catch (RejectedExecutionException loopGone) {
                    // The node is shutting down; nothing waits for this connection any more.
                }
            });
        } catch (RejectedExecutionException e) {
            peer.resolving = false;
            attemptFailed(peer, null, "name resolution unavailable: " + e);
        }
    }

    /** Resolves host names for every transport in the JVM, off their event loops. */
    private static final class Resolver {
        static final java.util.concurrent.ThreadPoolExecutor EXECUTOR = newExecutor();

        /** Up to 4 lookups at once (a slow one must not hold up the others), 1024 queued, idle threads exit. */
        private static java.util.concurrent.ThreadPoolExecutor newExecutor() {
            java.util.concurrent.ThreadPoolExecutor e = new java.util.concurrent.ThreadPoolExecutor(
                    4, 4, 30, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(1024), r -> {
                        Thread t = new Thread(r, "tandem-dns");
                        t.setDaemon(true);
                        return t;
                    });
            e.allowCoreThreadTimeOut(true);
            return e;
        }
    }

    private void connect(Peer peer, InetSocketAddress target) {
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        settings.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        initPipeline(ch, true, peer.address);
                    }
                });
        ChannelFuture f;
        try {
            f = b.connect(target);
        } catch (RuntimeException e) {
            peer.connecting = null;
            attemptFailed(peer, null, e.toString());
            return;
        }
        Channel ch = f.channel();
        peer.connecting = ch;
        channels.add(ch);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                attemptFailed(peer, ch, String.valueOf(done.cause()));
                if (done.cause() instanceof java.net.ConnectException
                        && !(done.cause() instanceof io.netty.channel.ConnectTimeoutException)) {
                    hintUnreachable(peer.address); // refused: nothing listens there any more
                }
            }
        });
        ch.closeFuture().addListener(done -> attemptFailed(peer, ch, "connection closed before the handshake completed"));
    }

    /** An outbound attempt ended without a connection: drop what waited for it, back off. */
    private void attemptFailed(Peer peer, Channel ch, String why) {
        if (ch != null && peer.connecting != ch) {
            return;
        }
        peer.connecting = null;
        peer.failures++;
        long backoff = backoffNanos(peer.failures);
        peer.nextAttemptNanos = System.nanoTime() + backoff;
        int dropped = peer.pending.size();
        peer.pending.clear();
        peer.pendingBytes = 0;
        drop(Drop.UNREACHABLE, dropped);
        LOG.log(System.Logger.Level.DEBUG, () -> "node " + self + ": connecting to " + peer.address + " failed ("
                + why + "); dropped " + dropped + " queued messages; next attempt in "
                + TimeUnit.NANOSECONDS.toMillis(backoff) + " ms");
    }

    /** Capped exponential backoff with "equal jitter": uniform in [d/2, d]. */
    private long backoffNanos(int failures) {
        long min = settings.reconnectBackoffMin().toNanos();
        long max = settings.reconnectBackoffMax().toNanos();
        long d = failures >= 32 ? max : Math.min(max, min << Math.min(failures - 1, 30));
        if (d < 0 || d > max) {
            d = max;
        }
        return d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
    }

    private void accepted(Channel ch) {
        if (closed || handshakingInbound >= settings.maxHandshakingConnections()) {
            refused(ch, null, Refusal.CAPACITY, closed ? "transport closed"
                    : handshakingInbound + " connections already handshaking");
            ch.close();
            return;
        }
        handshakingInbound++;
        channels.add(ch);
        initPipeline(ch, false, null);
    }

    private void initPipeline(Channel ch, boolean initiator, NodeAddress dialed) {
        ChannelPipeline p = ch.pipeline();
        if (serverTls != null) {
            p.addLast("tls", initiator ? clientTls.newHandler(ch.alloc(), dialed.host(), dialed.port())
                    : serverTls.newHandler(ch.alloc()));
        }
        p.addLast("frames", new FrameDecoder(TransportSettings.HANDSHAKE_MAX_FRAME_BYTES));
        p.addLast("encoder", FrameEncoder.INSTANCE);
        p.addLast("handshake", new HandshakeHandler(this, initiator, dialed));
    }

    // ---------------------------------------------------------------- called by the handlers

    TransportSettings settings() {
        return settings;
    }

    NodeId self() {
        return self;
    }

    byte[] secret() {
        return secret;
    }

    Handshake.Hello newHello() {
        byte[] nonce = new byte[Handshake.NONCE_BYTES];
        nonces.nextBytes(nonce);
        return new Handshake.Hello(settings.clusterName(), self, localAddress, nonce);
    }

    void inboundHandshakeEnded() {
        handshakingInbound--;
    }

    /** The handshake on {@code ctx}'s channel succeeded: pick it (or not) as the peer's connection. */
    void authenticated(ChannelHandlerContext ctx, Handshake.Hello hello, boolean initiator, NodeAddress dialed) {
        Channel ch = ctx.channel();
        handshakesCompleted.increment();
        ch.pipeline().get(FrameDecoder.class).authenticated(settings.maxFrameBytes());
        NodeAddress key = initiator ? dialed : hello.listen();
        if (initiator && !dialed.equals(hello.listen())) {
            logOnce(System.Logger.Level.WARNING, "addr " + dialed, () -> "node " + self + " dialled " + dialed
                    + " but " + hello.id() + " there advertises " + hello.listen()
                    + "; its messages on this connection are attributed to " + dialed + " (logged once)");
        }
        Peer peer = peers.computeIfAbsent(key, Peer::new);
        if (peer.connecting == ch) {
            peer.connecting = null;
        }
        Channel existing = peer.active;
        ctx.pipeline().replace(ctx.handler(), "connection", new ConnectionHandler(this, peer));
        if (existing != null && existing.isActive() && keepExisting(peer, hello, initiator)) {
            LOG.log(System.Logger.Level.DEBUG, () -> "node " + self + ": duplicate connection with " + hello.id()
                    + " retired, keeping " + existing);
            retire(ch, initiator);
            return;
        }
        boolean existingDialledByUs = peer.activeDialledByUs;
        peer.active = ch;
        peer.activeId = hello.id();
        peer.activeDialledByUs = initiator;
        peer.failures = 0;
        if (peer.retry != null) {
            peer.retry.cancel(false);
            peer.retry = null;
        }
        if (existing != null) {
            retire(existing, existingDialledByUs);
        } else {
            activeConnections++;
        }
        Frame f;
        while ((f = peer.pending.poll()) != null) {
            ch.write(f, ch.voidPromise());
            sent.increment();
        }
        peer.pendingBytes = 0;
        markDirty(peer);
        LOG.log(System.Logger.Level.DEBUG, () -> "node " + self + " connected to " + hello.id() + " at " + key
                + (initiator ? " (dialled)" : " (accepted)"));
    }

    /**
     * Takes a losing duplicate connection out of use without losing what is in flight on it, in
     * either direction. Both ends retire the same connection, but not at the same instant: until
     * the peer has decided too, it may still write on it. So a plain-TCP connection is closed by a
     * TCP half-close handshake: each end flushes and shuts down its output once it has retired the
     * connection (the peer reads everything up to the FIN), keeps reading, and closes when the
     * peer's FIN arrives ({@link #inputShutdown}). A retired connection is never written to again.
     * A fallback closes it after the handshake timeout if the peer never finishes its half.
     * TLS connections (where a bare FIN is a protocol error) are closed by their dialler after a
     * flush, and by the acceptor after the grace period.
     */
    private void retire(Channel ch, boolean dialledByUs) {
        if (!retired.add(ch)) {
            return;
        }
        ch.closeFuture().addListener(f -> retired.remove(ch));
        if (serverTls == null && ch instanceof DuplexChannel duplex) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (duplex.isInputShutdown()) {
                    ch.close();
                } else {
                    duplex.shutdownOutput();
                }
            });
            ch.eventLoop().schedule(() -> {
                ch.close();
            }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } else if (dialledByUs) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.eventLoop().schedule(() -> {
                ch.close();
            }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The peer shut down its output on {@code ch}: it retired the connection (or is closing). If we
     * retired it too, both halves are done: close. If it is still our active connection, the peer
     * decided first; stop using it (later sends wait for the connection the peer kept) and finish
     * our half.
     */
    void inputShutdown(Peer peer, Channel ch) {
        if (retired.contains(ch)) {
            ch.close();
            return;
        }
        boolean wasActive = peer.active == ch;
        if (wasActive) {
            peer.active = null;
            peer.activeId = null;
            activeConnections--;
        }
        retire(ch, peer.activeDialledByUs);
        if (wasActive) {
            hintUnreachable(peer.address); // a peer that was killed closes this way too; a probe will tell
        }
    }

    /**
     * Which of two authenticated connections to one peer survives; both ends decide alike. A newer
     * incarnation (or another node now at the address) replaces an older one; for the same node,
     * the connection dialled by the smaller advertised address wins.
     */
    private boolean keepExisting(Peer peer, Handshake.Hello hello, boolean newDialledByUs) {
        if (!hello.id().equals(peer.activeId)) {
            return hello.id().name().equals(peer.activeId.name())
                    && hello.id().incarnation() < peer.activeId.incarnation();
        }
        boolean weArePreferredDialler = localAddress.compareTo(hello.listen()) < 0;
        if (peer.activeDialledByUs == newDialledByUs) {
            return false; // same direction: the newer one replaces a stale one
        }
        return peer.activeDialledByUs == weArePreferredDialler;
    }

    void connectionClosed(Peer peer, Channel ch) {
        if (peer.active == ch) {
            peer.active = null;
            peer.activeId = null;
            activeConnections--;
            LOG.log(System.Logger.Level.DEBUG, () -> "node " + self + ": connection to " + peer.address + " closed");
            hintUnreachable(peer.address);
        }
    }

    void deliver(NodeAddress from, Frame frame) {
        received.increment();
        MessageHandler h = handlers.get(frame.channel());
        if (h == null) {
            drop(Drop.NO_HANDLER, 1);
            return;
        }
        try {
            h.onMessage(from, frame.payload());
        } catch (RuntimeException e) {
            drop(Drop.HANDLER_FAILED, 1);
            logOnce(System.Logger.Level.WARNING, "handler " + frame.channel(), () -> "node " + self
                    + ": the handler of channel " + frame.channel() + " threw " + e
                    + " on a message from " + from + " (handlers must drop bad input; logged once per channel)");
        }
    }

    void refused(Channel ch, NodeAddress dialed, Refusal reason, String detail) {
        refusals.get(reason).increment();
        String who = dialed != null ? "to " + dialed : "from " + remoteHost(ch.remoteAddress());
        logOnce(System.Logger.Level.WARNING, reason + " " + who, () -> "node " + self + " refused connection " + who
                + ": " + detail + " (logged once per address and reason)");
    }

    void exceptionCaught(ChannelHandlerContext ctx, Throwable cause, boolean authenticated) {
        Channel ch = ctx.channel();
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            LOG.log(System.Logger.Level.DEBUG, () -> "node " + self + ": TLS failure on " + ch + ": " + cause.getCause());
        } else if (cause instanceof TooLongFrameException || cause instanceof CorruptedFrameException
                || cause instanceof DecoderException) {
            (cause instanceof TooLongFrameException ? oversizedFrames : malformedFrames).increment();
            String who = remoteHost(ch.remoteAddress());
            logOnce(System.Logger.Level.WARNING, "frame " + who, () -> "node " + self + " closed "
                    + (authenticated ? "the connection" : "an unauthenticated connection") + " with " + who + ": "
                    + cause.getMessage() + " (logged once per address)");
        } else if (cause instanceof IOException) {
            LOG.log(System.Logger.Level.DEBUG, () -> "node " + self + ": " + ch + ": " + cause);
        } else {
            LOG.log(System.Logger.Level.WARNING, "node " + self + ": unexpected error on " + ch + ", closing it", cause);
        }
        ctx.close();
    }

    // ---------------------------------------------------------------- lifecycle

    /** Closes every connection and the listening socket; later sends are dropped. Idempotent. */
    void close() {
        if (loop.inEventLoop()) {
            closeOnLoop();
            return;
        }
        if (!loop.isShuttingDown()) {
            loop.submit(this::closeOnLoop).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private void closeOnLoop() {
        if (closed) {
            return;
        }
        closed = true;
        for (Peer peer : peers.values()) {
            if (peer.retry != null) {
                peer.retry.cancel(false);
            }
            drop(Drop.CLOSED, peer.pending.size());
            peer.pending.clear();
        }
        channels.close();
    }

    // ---------------------------------------------------------------- helpers

    private void drop(Drop reason, int count) {
        if (count > 0) {
            drops.get(reason).increment(count);
        }
    }

    private void logOnce(System.Logger.Level level, String key, java.util.function.Supplier<String> message) {
        boolean first;
        synchronized (logged) {
            first = logged.putIfAbsent(key, Boolean.TRUE) == null;
        }
        LOG.log(first ? level : System.Logger.Level.DEBUG, message);
    }

    private static String remoteHost(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(address);
    }

    private void requireLoop() {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("call on the node's thread (" + loop + "), not " + Thread.currentThread());
        }
    }

    /** How many peers have an authenticated connection; for tests. */
    int activeConnections() {
        return activeConnections;
    }

    /** The connection in use for {@code peer}, or null; on the event loop, for tests. */
    Channel activeChannel(NodeAddress peer) {
        requireLoop();
        Peer p = peers.get(peer);
        return p == null ? null : p.active;
    }

    EventLoop loop() {
        return loop;
    }
}
