package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.store.api.StoreConfig;
import java.time.Duration;

/**
 * Coverage-guided fuzzing of the store's decoder and of a node's message handling. A plain
 * {@code mvn test} replays the committed inputs under {@code MessagesFuzzTestInputs/}; fuzz for
 * real with {@code JAZZER_FUZZ=1 mvn test -pl store -Dtest=MessagesFuzzTest#METHOD -Djazzer.max_duration=3m}.
 */
class MessagesFuzzTest {

    @FuzzTest
    void decode_returnsAMessageOrMalformed(byte[] bytes) {
        try {
            Messages.Envelope env = Messages.decode(bytes, MessageGen.LIMITS);
            byte[] canonical = Messages.encode(env.header(), env.body());
            assertThat(canonical.length).isLessThanOrEqualTo(bytes.length);
        } catch (MalformedMessageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /**
     * Structure-aware: a valid message of any type (addressed to the node's incarnation), possibly
     * corrupted, delivered to a live node of a small cluster. The node must neither throw nor stop
     * serving: afterwards a put through it still completes.
     */
    @FuzzTest
    void node_survivesAnyMessage(FuzzedDataProvider data) {
        TestCluster c = new TestCluster(data.consumeLong(), StoreConfig.defaults().withPartitions(16)
                .withMaxKeyBytes(64).withMaxValueBytes(256), Sabotage.NONE);
        c.start("a", "b", "c");
        java.util.SplittableRandom r = new java.util.SplittableRandom(data.consumeLong());
        Messages.Header h = new Messages.Header(data.pickValue(new String[] {"b", "c", "x"}), 0, 0, r.nextLong(), r.nextLong());
        byte[] bytes = Messages.encode(h, MessageGen.body(r, data.consumeInt(1, 8)));
        if (data.consumeBoolean() && bytes.length > 0) {
            bytes[data.consumeInt(0, bytes.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        if (data.consumeBoolean()) {
            bytes = data.consumeRemainingAsBytes();
        }
        TestCluster.SimNode a = c.nodes.get("a");
        a.handler.onMessage(c.nodes.get("b").address, bytes);
        c.runFor(Duration.ofMillis(100));
        c.await(a.store.putAsync(new byte[] {1, 2, 3}, new byte[] {4}), Duration.ofSeconds(10));
    }
}
