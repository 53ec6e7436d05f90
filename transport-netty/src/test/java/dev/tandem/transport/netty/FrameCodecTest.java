package dev.tandem.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void encoder_writesLengthChannelPayload() {
        EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
        assertThat(ch.writeOutbound(new Frame(7, bytes("hi")))).isTrue();
        ByteBuf out = ch.readOutbound();
        assertThat(out.readInt()).isEqualTo(3);
        assertThat(out.readUnsignedByte()).isEqualTo((short) 7);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hi");
        out.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void roundTrip_byteByByte_leavesNothingOver() {
        EmbeddedChannel enc = new EmbeddedChannel(FrameEncoder.INSTANCE);
        enc.writeOutbound(new Frame(0, new byte[0]), new Frame(255, bytes("payload")), new Frame(64, new byte[300]));
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf b; (b = enc.readOutbound()) != null; ) {
            wire.writeBytes(b);
            b.release();
        }
        EmbeddedChannel dec = new EmbeddedChannel(new FrameDecoder(1024));
        while (wire.isReadable()) {
            dec.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();
        Frame a = dec.readInbound();
        Frame b = dec.readInbound();
        Frame c = dec.readInbound();
        assertThat(a.channel()).isZero();
        assertThat(a.payload()).isEmpty();
        assertThat(b.channel()).isEqualTo(255);
        assertThat(b.payload()).isEqualTo(bytes("payload"));
        assertThat(c.payload()).hasSize(300);
        assertThat((Object) dec.readInbound()).isNull();
        assertThat(dec.finish()).isFalse();
        assertThat(enc.finish()).isFalse();
    }

    @Test
    void decoder_aLargeFrameRightBehindTheHandshakesLast_isCheckedAgainstTheRaisedLimit() {
        // The peer finishes its side of the handshake and sends a large message at once: both
        // frames can arrive in one read. The limit is raised when the handler sees the first one.
        FrameDecoder decoder = new FrameDecoder(1024);
        EmbeddedChannel ch = new EmbeddedChannel(decoder, new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                decoder.authenticated(1 << 20);
                ctx.fireChannelRead(msg);
            }
        });
        ByteBuf wire = Unpooled.buffer();
        wire.writeInt(1 + 10).writeByte(2).writeBytes(new byte[10]);
        wire.writeInt(1 + 2494).writeByte(9).writeBytes(new byte[2494]);
        assertThat(ch.writeInbound(wire)).isTrue();
        Frame proof = ch.readInbound();
        Frame big = ch.readInbound();
        assertThat(proof.payload()).hasSize(10);
        assertThat(big.channel()).isEqualTo(9);
        assertThat(big.payload()).hasSize(2494);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void decoder_manyFramesInOneBuffer() {
        ByteBuf wire = Unpooled.buffer();
        for (int i = 0; i < 100; i++) {
            wire.writeInt(2).writeByte(i).writeByte(i * 3);
        }
        EmbeddedChannel dec = new EmbeddedChannel(new FrameDecoder(1024));
        dec.writeInbound(wire);
        for (int i = 0; i < 100; i++) {
            Frame f = dec.readInbound();
            assertThat(f.channel()).isEqualTo(i);
            assertThat(f.payload()).containsExactly((byte) (i * 3));
        }
        assertThat(dec.finish()).isFalse();
    }

    @Test
    void decoder_oversizedLength_failsAtOnce_andDiscardsTheRest() {
        EmbeddedChannel dec = new EmbeddedChannel(new FrameDecoder(1024));
        ByteBuf wire = Unpooled.buffer().writeInt(1025).writeByte(1).writeBytes(new byte[10]);
        assertThatThrownBy(() -> dec.writeInbound(wire)).isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("1025").hasMessageContaining("1024");
        // Later bytes are discarded, never decoded.
        dec.writeInbound(Unpooled.buffer().writeInt(1).writeByte(3));
        assertThat((Object) dec.readInbound()).isNull();
        assertThat(dec.finish()).isFalse();
    }

    @Test
    void decoder_negativeLength_isOversized() {
        EmbeddedChannel dec = new EmbeddedChannel(new FrameDecoder(1024));
        assertThatThrownBy(() -> dec.writeInbound(Unpooled.buffer().writeInt(-1)))
                .isInstanceOf(CorruptedFrameException.class);
        assertThat(dec.finish()).isFalse();
    }

    @Test
    void decoder_zeroLength_isCorrupt() {
        EmbeddedChannel dec = new EmbeddedChannel(new FrameDecoder(1024));
        assertThatThrownBy(() -> dec.writeInbound(Unpooled.buffer().writeInt(0)))
                .isInstanceOf(CorruptedFrameException.class).hasMessageContaining("below 1");
        assertThat(dec.finish()).isFalse();
    }

    @Test
    void decoder_limitRaisedAfterAuthentication() {
        FrameDecoder decoder = new FrameDecoder(16);
        EmbeddedChannel dec = new EmbeddedChannel(decoder);
        decoder.authenticated(4096);
        dec.writeInbound(Unpooled.buffer().writeInt(1001).writeByte(9).writeBytes(new byte[1000]));
        Frame f = dec.readInbound();
        assertThat(f.payload()).hasSize(1000);
        assertThat(dec.finish()).isFalse();
    }
}
