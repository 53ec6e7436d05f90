package dev.tandem.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/** The tail of an authenticated connection: frames in, closure and errors to the transport. */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final NettyTransport transport;
    private final NettyTransport.Peer peer;

    ConnectionHandler(NettyTransport transport, NettyTransport.Peer peer) {
        this.transport = transport;
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        transport.deliver(peer.address, (Frame) msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            transport.inputShutdown(peer, ctx.channel());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        transport.connectionClosed(peer, ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        transport.exceptionCaught(ctx, cause, true);
    }
}
