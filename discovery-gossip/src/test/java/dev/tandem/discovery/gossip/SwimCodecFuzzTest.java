package dev.tandem.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Coverage-guided fuzzing of the membership decoder and of a node's message handler. A plain
 * {@code mvn test} replays the committed inputs under {@code SwimCodecFuzzTestInputs/}; fuzz for
 * real with {@code JAZZER_FUZZ=1 mvn test -Dtest=SwimCodecFuzzTest#<method> -Djazzer.max_duration=3m}.
 */
class SwimCodecFuzzTest {
    private static final MemberStatus[] STATUSES = MemberStatus.values();

    /** Raw bytes: the decoder either returns a message that re-encodes to itself, or says what is wrong. */
    @FuzzTest
    void decode_returnsAMessageOrMalformed(byte[] bytes) {
        try {
            SwimMessage m = SwimCodec.decode(bytes);
            assertThat(SwimCodec.decode(SwimCodec.encode(m))).isEqualTo(m);
        } catch (MalformedMessageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /**
     * Structure-aware: builds a valid message from the fuzzer's choices (so the fuzzer gets past
     * the header checks at once), checks the round trip, then corrupts it in a fuzzer-chosen way.
     */
    @FuzzTest
    void validMessages_roundTrip_andCorruptionsAreCaught(FuzzedDataProvider data) {
        SwimMessage m = message(data);
        byte[] bytes = SwimCodec.encode(m);
        assertThat(SwimCodec.decode(bytes)).isEqualTo(m);
        if (bytes.length == 0 || !data.consumeBoolean()) {
            return;
        }
        switch (data.consumeInt(0, 2)) {
            case 0 -> bytes = java.util.Arrays.copyOf(bytes, data.consumeInt(0, bytes.length - 1));
            case 1 -> bytes[data.consumeInt(0, bytes.length - 1)] = data.consumeByte();
            default -> {
                byte[] tail = data.consumeBytes(16);
                byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + tail.length);
                System.arraycopy(tail, 0, longer, bytes.length, tail.length);
                bytes = longer;
            }
        }
        decode_returnsAMessageOrMalformed(bytes);
    }

    /** Whatever arrives, a running node's handler never throws at the transport. */
    @FuzzTest
    void nodeHandler_neverThrows(FuzzedDataProvider data) {
        TestWorld world = new TestWorld(1);
        TestWorld.Host a = world.start("a", 1, 1, GossipSettings.staticSeeds(List.of(TestWorld.address(2))));
        int messages = data.consumeInt(1, 8);
        for (int i = 0; i < messages && data.remainingBytes() > 0; i++) {
            byte[] payload = data.consumeBoolean() ? SwimCodec.encode(message(data)) : data.consumeBytes(256);
            world.deliverRaw(TestWorld.address(data.consumeInt(2, 5)), a, payload);
            world.runFor(java.time.Duration.ofMillis(data.consumeInt(0, 5_000)));
        }
        assertThat(a.view().member("a")).isPresent();
    }

    static SwimMessage message(FuzzedDataProvider data) {
        NodeId sender = nodeId(data);
        long seq = data.consumeLong();
        return switch (data.consumeInt(0, 5)) {
            case 0 -> new SwimMessage.Ping(sender, seq, nodeId(data), gossip(data));
            case 1 -> new SwimMessage.Ack(sender, seq, gossip(data));
            case 2 -> new SwimMessage.PingReq(sender, seq, nodeId(data), address(data), gossip(data));
            case 3 -> new SwimMessage.Nack(sender, seq, gossip(data));
            case 4 -> new SwimMessage.Gossip(sender, gossip(data));
            default -> {
                int n = data.consumeInt(0, 6);
                List<Member> state = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    state.add(member(data));
                }
                yield new SwimMessage.PushPull(sender, data.consumeBoolean(), data.pickValue(List.of("tandem", "other")), state);
            }
        };
    }

    private static List<Claim> gossip(FuzzedDataProvider data) {
        int n = data.consumeInt(0, 6);
        List<Claim> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Claim(member(data), data.consumeBoolean() ? "" : name(data)));
        }
        return out;
    }

    private static Member member(FuzzedDataProvider data) {
        Map<String, String> meta = new TreeMap<>();
        int n = data.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
            meta.put(name(data), data.consumeString(32));
        }
        return new Member(nodeId(data), address(data), data.pickValue(STATUSES), data.consumeLong(0, Long.MAX_VALUE), meta);
    }

    /** Names from a small pool (so fuzzed claims collide with each other and with the node) or fresh. */
    private static String name(FuzzedDataProvider data) {
        if (data.consumeBoolean()) {
            return data.pickValue(List.of("a", "b", "c", "d"));
        }
        String raw = data.consumeAsciiString(64).replaceAll("[^A-Za-z0-9._-]", "");
        return raw.isEmpty() ? "x" : raw;
    }

    private static NodeId nodeId(FuzzedDataProvider data) {
        return new NodeId(name(data), data.consumeLong(0, 3));
    }

    private static NodeAddress address(FuzzedDataProvider data) {
        return TestWorld.address(data.consumeInt(1, 6));
    }
}
