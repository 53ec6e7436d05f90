package dev.tandem.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    private static final byte[] SECRET = "a cluster secret of some length".getBytes(StandardCharsets.UTF_8);

    private static Handshake.Hello hello(String name, int nonceByte) {
        byte[] nonce = new byte[Handshake.NONCE_BYTES];
        Arrays.fill(nonce, (byte) nonceByte);
        return new Handshake.Hello("prod", new NodeId(name, 42), new NodeAddress("127.0.0.1", 7400), nonce);
    }

    @Test
    void hello_roundTrips() {
        Handshake.Hello h = hello("a", 5);
        assertThat(Handshake.Hello.decode(h.encode())).isEqualTo(h);
    }

    @Test
    void hello_rejectsOtherVersionsTruncationAndTrailingBytes() {
        byte[] bytes = hello("a", 5).encode();
        byte[] v2 = bytes.clone();
        v2[0] = 2;
        assertThatThrownBy(() -> Handshake.Hello.decode(v2)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> Handshake.Hello.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("nonce");
        assertThatThrownBy(() -> Handshake.Hello.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("nonce");
    }

    @Test
    void proof_verifiesOnlyWithTheSameSecret_role_andHellos() {
        byte[] i = hello("i", 1).encode();
        byte[] a = hello("a", 2).encode();
        byte[] proofI = Handshake.proof(SECRET, true, i, a);
        assertThat(Handshake.verify(SECRET, true, i, a, proofI)).isTrue();
        // Another secret, the other role (reflection), swapped or other hellos (replay): all fail.
        assertThat(Handshake.verify("another secret of some length".getBytes(StandardCharsets.UTF_8), true, i, a, proofI))
                .isFalse();
        assertThat(Handshake.verify(SECRET, false, i, a, proofI)).isFalse();
        assertThat(Handshake.verify(SECRET, true, a, i, proofI)).isFalse();
        assertThat(Handshake.verify(SECRET, true, i, hello("a", 3).encode(), proofI)).isFalse();
        assertThat(Handshake.verify(SECRET, true, i, a, Arrays.copyOf(proofI, 31))).isFalse();
    }
}
