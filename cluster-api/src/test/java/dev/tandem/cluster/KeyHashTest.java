package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden vectors for the frozen key hash. Every value here was produced by the reference
 * {@code xxhsum -H64} (xxHash 0.8) on the same bytes; if one fails, the hash changed and nodes of
 * different versions would disagree on where keys live. Do not "fix" a vector.
 */
class KeyHashTest {

    static Object[][] strings() {
        return new Object[][] {
            {"", 0xEF46DB3751D8E999L},
            {"a", 0xD24EC4F1A98C6E5BL},
            {"abc", 0x44BC2CF5AD770999L},
            {"tandem", 0x4F28B35B3CD5BDA8L},
            {"key-1", 0xDAB069F200681A9EL},
            {"0123456789abcdef0123456789abcdef", 0x642A94958E71E6C5L},
            {"The quick brown fox jumps over the lazy dog", 0x0B242D361FDA71BCL},
            {"hello, world! this string is longer than thirty-two bytes for sure ...", 0xE66CA48AC9F3DDDEL},
        };
    }

    /** {@code bytes 0,1,2,...,n-1}: covers every tail path (8-, 4-, 1-byte) and the 32-byte stripes. */
    static Object[][] prefixes() {
        return new Object[][] {
            {0, 0xEF46DB3751D8E999L},
            {1, 0xE934A84ADB052768L},
            {3, 0xE5C7BB4533BC65DDL},
            {4, 0xFFCED8604453CC1EL},
            {5, 0xDD0274386E26030CL},
            {7, 0x14CC643F630C72D2L},
            {8, 0x884A173614B81B8DL},
            {9, 0x67D85784A7C78C5BL},
            {15, 0xA948F5F0F6ABAC2DL},
            {16, 0x44B6EF2FB84169F7L},
            {17, 0x5603E60C527599B6L},
            {31, 0xC346D2B59B4D8EE1L},
            {32, 0xCBF59C5116FF32B4L},
            {33, 0x0C535D1ACAFB8EADL},
            {35, 0xF8C4B2DACBDCBA83L},
            {39, 0x00A396EF1679A859L},
            {40, 0xF5DA40F1B11741E9L},
            {63, 0xE26AA9E2A95F8E4FL},
            {64, 0xF7C67301DB6713F0L},
            {65, 0xC31EB63B2AE4465BL},
            {100, 0x6AC1E58032166597L},
            {255, 0x0F7D97507CAAD693L},
            {256, 0x1FACBE8406CD904BL},
        };
    }

    @ParameterizedTest(name = "xxh64(\"{0}\") = {1}")
    @MethodSource("strings")
    void of_string_matchesReferenceXxh64(String input, long expected) {
        assertThat(KeyHash.of(input)).isEqualTo(expected);
        assertThat(KeyHash.of(input.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "xxh64(bytes 0..{0}) = {1}")
    @MethodSource("prefixes")
    void of_bytePrefixes_matchReferenceXxh64(int length, long expected) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        assertThat(KeyHash.of(b)).isEqualTo(expected);
    }

    @Test
    void xxh64_ofSlice_equalsHashOfCopy() {
        byte[] b = new byte[300];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7);
        }
        for (int off = 0; off < 40; off += 3) {
            for (int len = 0; len < 200; len += 11) {
                byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                assertThat(KeyHash.xxh64(b, off, len, 0)).isEqualTo(KeyHash.of(copy));
            }
        }
    }

    @Test
    void of_long_isXxh64OfLittleEndianBytes() {
        // Reference: xxhsum -H64 of the 8 little-endian bytes of 42 and of -1.
        assertThat(KeyHash.of(42L)).isEqualTo(0xB556806FB6D14353L);
        assertThat(KeyHash.of(-1L)).isEqualTo(0x85D136ADB773C6C9L);
        for (long v : new long[] {0, 1, 42, -1, Long.MIN_VALUE, 0x0123456789ABCDEFL}) {
            byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
            assertThat(KeyHash.of(v)).isEqualTo(KeyHash.of(le));
        }
    }

    @Test
    void mix_isFrozen() {
        // SplitMix64's finaliser; the first output of SplitMix64 seeded with 0 is mix(0x9E3779B97F4A7C15).
        assertThat(KeyHash.mix(0x9E3779B97F4A7C15L)).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(KeyHash.mix(0)).isZero();
    }
}
