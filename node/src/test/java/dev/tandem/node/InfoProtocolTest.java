package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageWriter;
import dev.tandem.store.api.NodeInfo;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InfoProtocolTest {

    @Test
    void tell_roundTrips() {
        NodeInfo i = new NodeInfo(new NodeId("node-7", 1_700_000_000_123L), 1_000_000, 12, 3, 4, 683);
        InfoProtocol.Message m = InfoProtocol.decode(InfoProtocol.encodeTell(42, i));
        assertThat(m.type()).isEqualTo(InfoProtocol.TELL);
        assertThat(m.id()).isEqualTo(42);
        assertThat(m.info()).isEqualTo(i);
    }

    @Test
    void ask_roundTrips_andTrailingBytesAreMalformed() {
        assertThat(InfoProtocol.decode(new MessageWriter().u8(InfoProtocol.ASK).varLong(9).toByteArray()))
                .isEqualTo(new InfoProtocol.Message(InfoProtocol.ASK, 9, null));
        assertThatThrownBy(() -> InfoProtocol.decode(new MessageWriter().u8(InfoProtocol.ASK).varLong(9).u8(0).toByteArray()))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> InfoProtocol.decode(new MessageWriter().u8(77).varLong(9).toByteArray()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("type 77");
    }

    @Test
    void everyTruncationAndRandomByteFlip_isMalformedOrDecodes_neverAnotherException() {
        byte[] good = InfoProtocol.encodeTell(5, new NodeInfo(new NodeId("a", 3), 10, 2, 1, 0, 17));
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThatThrownBy(() -> InfoProtocol.decode(cut)).as("first %d bytes", n).isInstanceOf(MalformedMessageException.class);
        }
        long seed = 20261121L;
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = good.clone();
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            try {
                InfoProtocol.decode(b);
            } catch (MalformedMessageException expected) {
                // fine: dropped and counted
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " round " + round + ": " + Arrays.toString(b), e);
            }
        }
    }
}
