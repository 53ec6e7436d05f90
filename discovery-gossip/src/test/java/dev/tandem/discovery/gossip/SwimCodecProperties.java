package dev.tandem.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.runtime.BeaconChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

/** Round trips and hostile-input behaviour of the membership and beacon codecs. */
class SwimCodecProperties {

    @Test
    void everyMessage_roundTrips() {
        qt().forAll(Generators.messages()).checkAssert(m ->
                assertThat(SwimCodec.decode(SwimCodec.encode(m))).isEqualTo(m));
    }

    @Test
    void everyTruncation_andEveryTrailingByte_isMalformed() {
        qt().withExamples(200).forAll(Generators.messages(), Generate.range(0, 255)).checkAssert((m, extra) -> {
            byte[] bytes = SwimCodec.encode(m);
            // every cut near both ends, every stride-th in between (keeps the run short)
            int stride = Math.max(1, bytes.length / 32);
            for (int cut = 0; cut < bytes.length; cut = cut < 16 || cut >= bytes.length - 16 ? cut + 1
                    : Math.min(cut + stride, bytes.length - 16)) {
                byte[] prefix = Arrays.copyOf(bytes, cut);
                assertThatThrownBy(() -> SwimCodec.decode(prefix)).isInstanceOf(MalformedMessageException.class);
            }
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            longer[bytes.length] = (byte) (int) extra;
            assertThatThrownBy(() -> SwimCodec.decode(longer)).isInstanceOf(MalformedMessageException.class)
                    .hasMessageContaining("trailing");
        });
    }

    @Test
    void anyByteChanged_decodesOrIsMalformed_neverAnotherException() {
        qt().withExamples(300).forAll(Generators.messages(), Generate.range(0, Integer.MAX_VALUE), Generate.range(1, 255))
                .checkAssert((m, where, delta) -> {
                    byte[] bytes = SwimCodec.encode(m);
                    bytes[where % bytes.length] += (byte) (int) delta;
                    try {
                        SwimMessage decoded = SwimCodec.decode(bytes);
                        assertThat(SwimCodec.decode(SwimCodec.encode(decoded))).isEqualTo(decoded);
                    } catch (MalformedMessageException expected) {
                        assertThat(expected.getMessage()).isNotBlank();
                    }
                });
    }

    @Test
    void everyBeacon_roundTrips_fitsADatagram_andAuthenticatesOnlyWithItsSecret() {
        BeaconCodec right = new BeaconCodec("the right secret!");
        BeaconCodec wrong = new BeaconCodec("the wrong secret!");
        qt().forAll(Generators.beacons()).checkAssert(b -> {
            byte[] bytes = right.encode(b);
            assertThat(bytes.length).isLessThanOrEqualTo(BeaconChannel.MAX_BEACON_BYTES);
            assertThat(BeaconCodec.parse(bytes)).isEqualTo(b);
            assertThat(right.isAuthentic(bytes)).isTrue();
            assertThat(wrong.isAuthentic(bytes)).isFalse();
        });
    }

    @Test
    void claimSizes_areWhatTheDisseminationBudgetAssumes() {
        qt().forAll(Generators.gossip()).checkAssert(gossip -> {
            int sum = gossip.stream().mapToInt(SwimCodec::encodedSize).sum();
            byte[] withGossip = SwimCodec.encode(new SwimMessage.Gossip(new dev.tandem.cluster.NodeId("x", 0), gossip));
            byte[] without = SwimCodec.encode(new SwimMessage.Gossip(new dev.tandem.cluster.NodeId("x", 0), java.util.List.of()));
            // the count prefix grows from 1 byte to at most 1 byte for <= 64 entries
            assertThat(withGossip.length - without.length).isEqualTo(sum);
        });
    }
}
