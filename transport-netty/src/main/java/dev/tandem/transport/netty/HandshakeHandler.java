package dev.tandem.transport.netty;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.codec.MalformedMessageException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link Handshake} on one new connection, then hands it to the transport, which replaces
 * this handler with a {@link ConnectionHandler}. Anything out of order, a foreign cluster, a wrong
 * proof or silence past the timeout refuses the connection: the transport logs and counts it and
 * the channel closes. No frame reaches the transport's handlers through here.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
    private final NettyTransport transport;
    private final boolean initiator;
    private final NodeAddress dialed;
    private byte[] ownHello;
    private byte[] peerHelloBytes;
    private Handshake.Hello peerHello;
    private ScheduledFuture<?> timeout;
    private boolean finished;

    /** @param dialed the address this side dialled, or null on an accepted connection */
    HandshakeHandler(NettyTransport transport, boolean initiator, NodeAddress dialed) {
        this.transport = transport;
        this.initiator = initiator;
        this.dialed = dialed;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ownHello = transport.newHello().encode();
        ctx.writeAndFlush(new Frame(Frame.HELLO, ownHello));
        long nanos = transport.settings().handshakeTimeout().toNanos();
        timeout = ctx.executor().schedule(() -> refuse(ctx, NettyTransport.Refusal.TIMEOUT,
                "no completed handshake within " + transport.settings().handshakeTimeout()), nanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        if (finished) {
            return;
        }
        if (peerHello == null) {
            onHello(ctx, frame);
        } else if (frame.channel() == Frame.PROOF) {
            onProof(ctx, frame);
        } else {
            refuse(ctx, NettyTransport.Refusal.PROTOCOL, "frame type " + frame.channel() + " before the handshake completed");
        }
    }

    private void onHello(ChannelHandlerContext ctx, Frame frame) {
        if (frame.channel() != Frame.HELLO) {
            refuse(ctx, NettyTransport.Refusal.PROTOCOL, "expected HELLO, got frame type " + frame.channel());
            return;
        }
        Handshake.Hello hello;
        try {
            hello = Handshake.Hello.decode(frame.payload());
        } catch (MalformedMessageException e) {
            refuse(ctx, NettyTransport.Refusal.PROTOCOL, "malformed HELLO: " + e.getMessage());
            return;
        }
        if (!hello.cluster().equals(transport.settings().clusterName())) {
            refuse(ctx, NettyTransport.Refusal.CLUSTER, "peer " + hello.id() + " belongs to cluster '" + hello.cluster()
                    + "', this node to '" + transport.settings().clusterName() + "'");
            return;
        }
        if (hello.id().name().equals(transport.self().name())) {
            refuse(ctx, NettyTransport.Refusal.SELF, "peer claims this node's own name " + hello.id());
            return;
        }
        byte[] ownNonce = java.util.Arrays.copyOfRange(ownHello, ownHello.length - Handshake.NONCE_BYTES, ownHello.length);
        if (MessageDigest.isEqual(ownNonce, hello.nonce())) {
            refuse(ctx, NettyTransport.Refusal.PROTOCOL, "peer echoed this node's nonce");
            return;
        }
        peerHello = hello;
        peerHelloBytes = frame.payload();
        ctx.writeAndFlush(new Frame(Frame.PROOF,
                Handshake.proof(transport.secret(), initiator, ownHello, peerHelloBytes)));
    }

    private void onProof(ChannelHandlerContext ctx, Frame frame) {
        if (!Handshake.verify(transport.secret(), !initiator, peerHelloBytes, ownHello, frame.payload())) {
            refuse(ctx, NettyTransport.Refusal.SECRET, "peer " + peerHello.id() + " cannot prove this cluster's secret");
            return;
        }
        finish();
        transport.authenticated(ctx, peerHello, initiator, dialed);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
            refuse(ctx, NettyTransport.Refusal.TLS, "TLS handshake failed: " + tls.cause());
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            // The peer gave up before authenticating (half-closure is enabled for the data phase).
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        transport.exceptionCaught(ctx, cause, false);
    }

    private void refuse(ChannelHandlerContext ctx, NettyTransport.Refusal reason, String detail) {
        if (finished) {
            return;
        }
        finish();
        transport.refused(ctx.channel(), dialed, reason, detail);
        ctx.close();
    }

    /** Ends the handshake phase exactly once, however it ends. */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (!initiator) {
            transport.inboundHandshakeEnded();
        }
    }
}
