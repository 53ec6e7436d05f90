package dev.tandem.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the byte stream into {@link Frame}s. The length is checked against the current limit as
 * soon as its four bytes arrive, before anything is buffered for the body, so a hostile length
 * costs nothing. A bad length fails the connection: the error is raised once, the rest of the input
 * is discarded, and the handler behind closes the channel.
 *
 * <p>The limit starts at the handshake limit and is raised by {@link #authenticated} once the peer
 * has proven the cluster secret. The only state besides Netty's cumulation buffer is that limit and
 * the failed flag.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private int maxFrameBytes;
    private boolean raised;
    private boolean failed;

    FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Raises the frame limit from the handshake's to the transport's. */
    void authenticated(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
        this.raised = true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= 4) {
            int length = in.getInt(in.readerIndex());
            if (length < 1 || length > maxFrameBytes) {
                failed = true;
                in.skipBytes(in.readableBytes());
                if (length < 1) {
                    throw new CorruptedFrameException("frame length " + length + " is below 1 (no channel byte)");
                }
                throw new TooLongFrameException("frame of " + Integer.toUnsignedString(length)
                        + " bytes exceeds the limit of " + maxFrameBytes);
            }
            if (in.readableBytes() < 4 + length) {
                return;
            }
            in.skipBytes(4);
            int channel = in.readUnsignedByte();
            byte[] payload = new byte[length - 1];
            in.readBytes(payload);
            out.add(new Frame(channel, payload));
            if (!raised) {
                // One frame at a time during the handshake: the handshake's last frame must reach
                // the handler (which raises the limit) before the next frame's length is checked —
                // the peer may send its first, larger messages in the same TCP segment.
                return;
            }
        }
    }
}
