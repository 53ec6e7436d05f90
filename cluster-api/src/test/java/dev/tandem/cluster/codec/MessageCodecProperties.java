package dev.tandem.cluster.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arrays;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Round trips and hostile-input behaviour of the codec primitives, over generated inputs. */
class MessageCodecProperties {

    @Test
    void everyFieldKind_roundTrips_andConsumesExactlyWhatWasWritten() {
        qt().forAll(longs().all(), integers().all(), strings().allPossible().ofLengthBetween(0, 40),
                        arrays().ofIntegers(integers().between(0, 255)).withLengthBetween(0, 64))
                .checkAssert((l, i, s, ints) -> {
                    byte[] blob = new byte[ints.length];
                    for (int k = 0; k < blob.length; k++) {
                        blob[k] = (byte) (int) ints[k];
                    }
                    String utf = s.codePoints().filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
                    byte[] msg = new MessageWriter(1).i64(l).i32(i).varLong(l).varInt(Math.abs(i % 1_000_000))
                            .bytes(blob).string(utf).bool(l < 0).u8(i & 0xFF).toByteArray();
                    MessageReader r = new MessageReader(msg);
                    assertThat(r.i64("a")).isEqualTo(l);
                    assertThat(r.i32("b")).isEqualTo(i);
                    assertThat(r.varLong("c")).isEqualTo(l);
                    assertThat(r.varInt("d", 1_000_000)).isEqualTo(Math.abs(i % 1_000_000));
                    assertThat(r.bytes("e", 64)).isEqualTo(blob);
                    assertThat(r.string("f", 1000)).isEqualTo(utf);
                    assertThat(r.bool("g")).isEqualTo(l < 0);
                    assertThat(r.u8("h")).isEqualTo(i & 0xFF);
                    r.expectEnd("test");
                });
    }

    @Test
    void everyTruncation_failsWithMalformedMessage_neverAnotherException() {
        qt().forAll(longs().all(), arrays().ofIntegers(integers().between(0, 255)).withLengthBetween(0, 20))
                .checkAssert((l, ints) -> {
                    byte[] blob = new byte[ints.length];
                    byte[] msg = new MessageWriter().varLong(l).bytes(blob).i64(l).toByteArray();
                    for (int cut = 0; cut < msg.length; cut++) {
                        MessageReader r = new MessageReader(Arrays.copyOf(msg, cut));
                        assertThatThrownBy(() -> {
                            r.varLong("v");
                            r.bytes("b", 20);
                            r.i64("l");
                        }).isInstanceOf(MalformedMessageException.class);
                    }
                });
    }

    @Test
    void lengthsBeyondTheLimit_areRejectedBeforeAllocating() {
        byte[] msg = new MessageWriter().varLong(Integer.MAX_VALUE).toByteArray();
        assertThatThrownBy(() -> new MessageReader(msg).bytes("value", 1024))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessage("value length at offset 0 is 2147483647, more than the limit 1024");
    }

    @Test
    void overlongVarint_isRejected() {
        byte[] msg = new byte[11];
        Arrays.fill(msg, (byte) 0xFF);
        assertThatThrownBy(() -> new MessageReader(msg).varLong("n"))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("longer than 64 bits");
    }

    @Test
    void strings_asciiAndNot_roundTrip_andInvalidUtf8_isRejectedNamingTheField() {
        qt().forAll(strings().allPossible().ofLengthBetween(0, 40), strings().basicLatinAlphabet().ofLengthBetween(0, 40))
                .checkAssert((any, ascii) -> {
                    byte[] msg = new MessageWriter().string(any).string(ascii).u8(7).toByteArray();
                    MessageReader r = new MessageReader(msg);
                    assertThat(r.string("a", 1 << 10)).isEqualTo(new String(any.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            java.nio.charset.StandardCharsets.UTF_8));
                    assertThat(r.string("b", 1 << 10)).isEqualTo(ascii);
                    assertThat(r.u8("after")).isEqualTo(7); // the position moved past both strings
                });
        byte[] bad = new MessageWriter().u8(0).bytes(new byte[] {'o', 'k', (byte) 0xC3, 0x28}).toByteArray();
        MessageReader r = new MessageReader(bad);
        r.u8("pad");
        assertThatThrownBy(() -> r.string("name", 64)).isInstanceOf(MalformedMessageException.class)
                .hasMessage("name at offset 2 is not valid UTF-8");
    }

    @Test
    void trailingBytes_areRejected() {
        assertThatThrownBy(() -> new MessageReader(new byte[] {1, 2}).expectEnd("ping"))
                .hasMessage("ping: 2 unexpected trailing bytes at offset 0");
    }

    @Test
    void codecs_roundTrip_andRejectWrongLengthsAndBadUtf8() {
        qt().forAll(longs().all(), integers().all()).checkAssert((l, i) -> {
            assertThat(Codecs.int64().decode(Codecs.int64().encode(l))).isEqualTo(l);
            assertThat(Codecs.int32().decode(Codecs.int32().encode(i))).isEqualTo(i);
        });
        assertThatThrownBy(() -> Codecs.int64().decode(new byte[3])).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> Codecs.utf8().decode(new byte[] {(byte) 0xC3})).isInstanceOf(MalformedMessageException.class);
        assertThat(Codecs.utf8().decode(Codecs.utf8().encode("grüß"))).isEqualTo("grüß");
    }
}
