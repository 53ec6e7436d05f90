package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.tandem.cluster.codec.MalformedMessageException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The store's wire format over generated messages of every type. */
class MessagesProperties {

    @Test
    void everyMessage_roundTrips_byteForByte() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            byte[] bytes = MessageGen.message(seed);
            Messages.Envelope env = Messages.decode(bytes, MessageGen.LIMITS);
            assertThat(Messages.encode(env.header(), env.body())).isEqualTo(bytes);
        });
    }

    @Test
    void everyTruncation_isMalformed() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            byte[] bytes = MessageGen.message(seed);
            for (int cut = 0; cut < bytes.length; cut++) {
                byte[] t = Arrays.copyOf(bytes, cut);
                assertThatThrownBy(() -> Messages.decode(t, MessageGen.LIMITS))
                        .isInstanceOf(MalformedMessageException.class);
            }
        });
    }

    @Test
    void trailingBytes_areMalformed() {
        qt().forAll(longs().all(), integers().between(1, 8)).checkAssert((seed, extra) -> {
            byte[] bytes = MessageGen.message(seed);
            byte[] t = Arrays.copyOf(bytes, bytes.length + extra);
            assertThatThrownBy(() -> Messages.decode(t, MessageGen.LIMITS))
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
                // A corruption may still decode (e.g. into a non-minimal varint); then it is a
                // well-formed message whose canonical encoding round-trips.
                Messages.Envelope env = Messages.decode(bytes, MessageGen.LIMITS);
                byte[] canonical = Messages.encode(env.header(), env.body());
                Messages.Envelope again = Messages.decode(canonical, MessageGen.LIMITS);
                assertThat(Messages.encode(again.header(), again.body())).isEqualTo(canonical);
            } catch (MalformedMessageException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        });
    }

    @Test
    void oversizedValues_areRejectedBeforeUse() {
        SplittableRandom r = new SplittableRandom(7);
        Messages.WireEntry big = new Messages.WireEntry(1, 1, Records.of(new byte[3], new byte[257]));
        byte[] bytes = Messages.encode(MessageGen.header(r), new Messages.Write(new long[] {1}, java.util.List.of(big)));
        assertThatThrownBy(() -> Messages.decode(bytes, MessageGen.LIMITS))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("limit");
    }
}
