package dev.tandem.cluster.codec;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Codecs for common types. Encodings are wire format: stable across versions. */
public final class Codecs {
    private static final Codec<byte[]> BYTES = new Codec<>() {
        @Override
        public byte[] encode(byte[] value) {
            return Objects.requireNonNull(value, "value").clone();
        }

        @Override
        public byte[] decode(byte[] bytes) {
            return bytes.clone();
        }
    };

    private static final Codec<String> UTF8 = new Codec<>() {
        @Override
        public byte[] encode(String value) {
            return Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new MalformedMessageException("string is not valid UTF-8 (" + bytes.length + " bytes)");
            }
        }
    };

    private static final Codec<Long> INT64 = new Codec<>() {
        @Override
        public byte[] encode(Long value) {
            long v = Objects.requireNonNull(value, "value");
            byte[] b = new byte[8];
            for (int i = 7; i >= 0; i--) {
                b[i] = (byte) v;
                v >>>= 8;
            }
            return b;
        }

        @Override
        public Long decode(byte[] bytes) {
            if (bytes.length != 8) {
                throw new MalformedMessageException("a 64-bit integer takes 8 bytes, got " + bytes.length);
            }
            long v = 0;
            for (byte x : bytes) {
                v = (v << 8) | (x & 0xFF);
            }
            return v;
        }
    };

    private static final Codec<Integer> INT32 = new Codec<>() {
        @Override
        public byte[] encode(Integer value) {
            int v = Objects.requireNonNull(value, "value");
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }

        @Override
        public Integer decode(byte[] bytes) {
            if (bytes.length != 4) {
                throw new MalformedMessageException("a 32-bit integer takes 4 bytes, got " + bytes.length);
            }
            return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
        }
    };

    private Codecs() {
    }

    /** Raw bytes, copied both ways. */
    public static Codec<byte[]> bytes() {
        return BYTES;
    }

    /** Strings as strict UTF-8 (malformed input is rejected, not replaced). */
    public static Codec<String> utf8() {
        return UTF8;
    }

    /** {@code long} as 8 big-endian bytes (so byte order equals numeric order for non-negatives). */
    public static Codec<Long> int64() {
        return INT64;
    }

    /** {@code int} as 4 big-endian bytes. */
    public static Codec<Integer> int32() {
        return INT32;
    }
}
