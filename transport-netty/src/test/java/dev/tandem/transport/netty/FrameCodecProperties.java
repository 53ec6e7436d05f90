package dev.tandem.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecProperties {

    @Test
    void anyFramesSplitAnywhere_decodeToTheSameFrames_withNothingLeftOver() {
        qt().withExamples(100).forAll(
                lists().of(integers().between(0, 255 * 1000 + 999)).ofSizeBetween(0, 20),
                integers().between(1, 64))
            .checkAssert((specs, chunk) -> {
                List<Frame> frames = new ArrayList<>();
                for (int spec : specs) {
                    byte[] payload = new byte[spec % 1000];
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] = (byte) (i * 31 + spec);
                    }
                    frames.add(new Frame(spec / 1000, payload));
                }
                EmbeddedChannel enc = new EmbeddedChannel(FrameEncoder.INSTANCE);
                ByteBuf wire = Unpooled.buffer();
                for (Frame f : frames) {
                    enc.writeOutbound(f);
                    ByteBuf b = enc.readOutbound();
                    wire.writeBytes(b);
                    b.release();
                }
                EmbeddedChannel dec = new EmbeddedChannel(new FrameDecoder(1000));
                while (wire.isReadable()) {
                    dec.writeInbound(wire.readRetainedSlice(Math.min(chunk, wire.readableBytes())));
                }
                wire.release();
                for (Frame expected : frames) {
                    Frame got = dec.readInbound();
                    assertThat(got.channel()).isEqualTo(expected.channel());
                    assertThat(got.payload()).isEqualTo(expected.payload());
                }
                assertThat((Object) dec.readInbound()).isNull();
                assertThat(dec.finish()).isFalse();
                assertThat(enc.finish()).isFalse();
            });
    }
}
