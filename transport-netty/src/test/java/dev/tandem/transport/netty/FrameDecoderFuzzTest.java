package dev.tandem.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

/**
 * The frame decoder on hostile input: frames that mostly parse (so the fuzzer gets past the length
 * field), cut into arbitrary chunks. It must produce frames within the limit or fail with a
 * {@link DecoderException}, never anything else, and leave nothing buffered or leaked.
 */
class FrameDecoderFuzzTest {

    @FuzzTest
    void decoder_yieldsBoundedFramesOrADecoderException(FuzzedDataProvider data) {
        int max = data.consumeInt(1, 4096);
        ByteBuf wire = Unpooled.buffer();
        int frames = data.consumeInt(0, 8);
        for (int i = 0; i < frames; i++) {
            if (data.consumeBoolean()) {
                byte[] payload = data.consumeBytes(data.consumeInt(0, 600));
                wire.writeInt(data.consumeBoolean() ? payload.length + 1 : data.consumeInt())
                        .writeByte(data.consumeInt(0, 255)).writeBytes(payload);
            } else {
                wire.writeBytes(data.consumeBytes(data.consumeInt(0, 64)));
            }
        }
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(max));
        try {
            while (wire.isReadable()) {
                int n = Math.min(wire.readableBytes(), data.consumeInt(1, 256));
                try {
                    ch.writeInbound(wire.readRetainedSlice(n));
                } catch (DecoderException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
                for (Frame f; (f = ch.readInbound()) != null; ) {
                    assertThat(1 + f.payload().length).isLessThanOrEqualTo(max);
                }
            }
        } finally {
            wire.release();
            ch.finishAndReleaseAll();
        }
    }
}
