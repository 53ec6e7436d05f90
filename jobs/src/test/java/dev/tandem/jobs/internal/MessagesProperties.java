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
            assertThat(Messages.encode(env.sender(), env.toIncarnation(), env.load(), env.clock(), env.body())).isEqualTo(bytes);
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
                byte[] canonical = Messages.encode(env.sender(), env.toIncarnation(), env.load(), env.clock(), env.body());
                assertThat(Messages.decode(canonical, MessageGen.MAX_PAYLOAD).body().type()).isEqualTo(env.body().type());
            } catch (MalformedMessageException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        });
    }

    @Test
    void lineageAboveItsBound_isMalformed_inTheHeaderAndInEveryBody() {
        dev.tandem.cluster.NodeId a = new dev.tandem.cluster.NodeId("a", 1);
        long over = Messages.MAX_LINEAGE + 1;
        // the encoder caps the header clock, so the hostile header is written by hand: version, type, sender, ...
        byte[] header = new dev.tandem.cluster.codec.MessageWriter(32).u8(Messages.VERSION).u8(Messages.LOAD)
                .string("a").varLong(1).varLong(1).varInt(0).varLong(over).toByteArray();
        assertThatThrownBy(() -> Messages.decode(header, MessageGen.MAX_PAYLOAD))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("lineage clock");
        byte[] maxHeader = new dev.tandem.cluster.codec.MessageWriter(32).u8(Messages.VERSION).u8(Messages.LOAD)
                .string("a").varLong(1).varLong(1).varInt(0).varLong(-1L).toByteArray();
        assertThatThrownBy(() -> Messages.decode(maxHeader, MessageGen.MAX_PAYLOAD))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("lineage clock");
        Record rec = new Record("worker:w", "counter", new byte[0], over, 1, 1, a, a, Record.PENDING, a, new byte[0]);
        for (Messages.Body body : new Messages.Body[] {new Messages.RecordMsg(rec), rec.ack(),
                new Messages.WorkerMsg(1, "w", over, 1, 1, false, new byte[0]),
                new Messages.WorkerStart(1, "w", "counter", new byte[0], over),
                new Messages.WorkerReply(1, Messages.W_OK, over, 1, 1, new byte[0])}) {
            byte[] bytes = Messages.encode(a, 1, 0, 0, body);
            assertThatThrownBy(() -> Messages.decode(bytes, MessageGen.MAX_PAYLOAD)).as(body.toString())
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("lineage");
        }
        byte[] atBound = Messages.encode(a, 1, 0, Messages.MAX_LINEAGE, new Messages.RecordMsg(new Record("worker:w",
                "counter", new byte[0], Messages.MAX_LINEAGE, 1, 1, a, a, Record.PENDING, a, new byte[0])));
        Messages.Envelope env = Messages.decode(atBound, MessageGen.MAX_PAYLOAD);
        assertThat(env.clock()).isEqualTo(Messages.MAX_LINEAGE);
        assertThat(((Messages.RecordMsg) env.body()).record().lineage()).isEqualTo(Messages.MAX_LINEAGE);
    }

    @Test
    void oversizedPayload_isRejectedBeforeAllocation() {
        byte[] bytes = Messages.encode(new dev.tandem.cluster.NodeId("a", 1), 1, 0, 0,
                new Messages.Call(1, 1, "square", new byte[MessageGen.MAX_PAYLOAD + 1]));
        assertThatThrownBy(() -> Messages.decode(bytes, MessageGen.MAX_PAYLOAD))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("limit");
    }
}
