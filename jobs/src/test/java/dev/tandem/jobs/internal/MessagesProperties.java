package dev.tandem.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.tandem.cluster.codec.MalformedMessageException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The jobs wire format over generated messages of every type (QuickTheories prints its seed on failure). */
class MessagesProperties {

    @Test
    void everyMessage_roundTrips_byteForByte() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            byte[] bytes = MessageGen.message(seed);
            Messages.Envelope env = Messages.decode(bytes, MessageGen.MAX_PAYLOAD);
            assertThat(Messages.encode(env.sender(), env.toIncarnation(), env.load(), env.body())).isEqualTo(bytes);
        });
    }

    @Test
    void everyTruncation_isMalformed() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            byte[] bytes = MessageGen.message(seed);
            for (int cut = 0; cut < bytes.length; cut++) {
                byte[] t = Arrays.copyOf(bytes, cut);
                assertThatThrownBy(() -> Messages.decode(t, MessageGen.MAX_PAYLOAD))
                        .isInstanceOf(MalformedMessageException.class);
            }
        });
    }

    @Test
    void trailingBytes_areMalformed() {
        qt().forAll(longs().all(), integers().between(1, 8)).checkAssert((seed, extra) -> {
            byte[] bytes = MessageGen.message(seed);
            byte[] t = Arrays.copyOf(bytes, bytes.length + extra);
            assertThatThrownBy(() -> Messages.decode(t, MessageGen.MAX_PAYLOAD))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("trailing");
        });
    }

    @Test
    void corruptedBytes_decodeOrAreMalformed_neverAnythingElse() {
        qt().withExamples(500).forAll(longs().all(), longs().all()).checkAssert((seed, corruption) -> {
            byte[] bytes = MessageGen.message(seed);
            SplittableRandom r = new SplittableRandom(corruption);
            for (int i = 0; i < 1 + r.nextInt(4); i++) {
                bytes[r.nextInt(bytes.length)] ^= (byte) (1 + r.nextInt(255));
            }
            try {
                Messages.Envelope env = Messages.decode(bytes, MessageGen.MAX_PAYLOAD);
                byte[] canonical = Messages.encode(env.sender(), env.toIncarnation(), env.load(), env.body());
                assertThat(Messages.decode(canonical, MessageGen.MAX_PAYLOAD).body().type()).isEqualTo(env.body().type());
            } catch (MalformedMessageException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        });
    }

    @Test
    void oversizedPayload_isRejectedBeforeAllocation() {
        byte[] bytes = Messages.encode(new dev.tandem.cluster.NodeId("a", 1), 1, 0,
                new Messages.Call(1, 1, "square", new byte[MessageGen.MAX_PAYLOAD + 1]));
        assertThatThrownBy(() -> Messages.decode(bytes, MessageGen.MAX_PAYLOAD))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("limit");
    }
}
