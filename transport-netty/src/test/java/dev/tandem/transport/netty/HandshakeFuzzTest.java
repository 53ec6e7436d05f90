package dev.tandem.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;

/**
 * The handshake decoder and handler on hostile input. {@link Handshake.Hello#decode} returns a
 * hello or throws {@link MalformedMessageException}; a {@link HandshakeHandler} fed well-formed
 * hellos (so the fuzzer reaches the proof) and forged or corrupted proofs never authenticates.
 */
class HandshakeFuzzTest {
    private static TestNode node;

    private static synchronized TestNode node() {
        if (node == null) {
            node = TestNode.start("fuzz");
        }
        return node;
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @FuzzTest
    void helloDecode_returnsAHelloOrMalformed(byte[] bytes) {
        try {
            Handshake.Hello h = Handshake.Hello.decode(bytes);
            assertThat(Handshake.Hello.decode(h.encode())).isEqualTo(h);
        } catch (MalformedMessageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @FuzzTest
    void handler_neverAuthenticatesWithoutTheSecret(FuzzedDataProvider data) {
        TestNode n = node();
        double completedBefore = n.counter("tandem.transport.handshakes.completed", null);
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeHandler(n.transport(), data.consumeBoolean(), null));
        try {
            byte[] nonce = data.consumeBytes(Handshake.NONCE_BYTES);
            if (nonce.length == Handshake.NONCE_BYTES && data.consumeBoolean()) {
                String cluster = data.consumeBoolean() ? "test" : data.consumeString(10);
                String name = data.pickValue(new String[] {"a", "b", "fuzz"});
                byte[] hello = new Handshake.Hello(cluster.isEmpty() ? "x" : cluster, new NodeId(name, data.consumeLong(0, 9)),
                        new NodeAddress("127.0.0.1", data.consumeInt(1, 65_535)), nonce).encode();
                ch.writeInbound(new Frame(Frame.HELLO, hello));
            }
            int frames = data.consumeInt(0, 4);
            for (int i = 0; i < frames && ch.isOpen(); i++) {
                byte[] payload = data.consumeBoolean()
                        ? Handshake.proof(data.consumeString(40).getBytes(StandardCharsets.UTF_8), data.consumeBoolean(),
                                data.consumeBytes(64), data.consumeBytes(64))
                        : data.consumeBytes(100);
                ch.writeInbound(new Frame(data.consumeInt(0, 255), payload));
            }
            assertThat(n.counter("tandem.transport.handshakes.completed", null)).isEqualTo(completedBefore);
            assertThat((Object) ch.readInbound()).isNull();
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
