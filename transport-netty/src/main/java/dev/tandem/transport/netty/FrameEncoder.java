package dev.tandem.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes {@link Frame}s: length, channel byte, payload, into one exactly-sized buffer. Stateless. */
@Sharable
final class FrameEncoder extends MessageToByteEncoder<Frame> {
    static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        return ctx.alloc().ioBuffer(Frame.HEADER_BYTES + frame.payload().length);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        out.writeInt(1 + frame.payload().length);
        out.writeByte(frame.channel());
        out.writeBytes(frame.payload());
    }
}
