package dev.tandem.cluster.codec;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link MessageWriter} wrote, treating the input as hostile: every read is bounds
 * checked, lengths are checked against what remains and against caller-given limits before
 * anything is allocated, and every failure is a {@link MalformedMessageException} saying which
 * field at which offset was wrong. Not thread-safe.
 */
public final class MessageReader {
    private final byte[] buf;
    private final int end;
    private int pos;

    public MessageReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public MessageReader(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length || off + len < 0) {
            throw new IllegalArgumentException("range " + off + "+" + len + " outside " + buf.length + " bytes");
        }
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    public int remaining() {
        return end - pos;
    }

    public int position() {
        return pos;
    }

    private void need(int n, String field) {
        if (n > end - pos) {
            throw new MalformedMessageException(field + " at offset " + pos + " needs " + n + " bytes, "
                    + (end - pos) + " remain (truncated message?)");
        }
    }

    public int u8(String field) {
        need(1, field);
        return buf[pos++] & 0xFF;
    }

    public boolean bool(String field) {
        int v = u8(field);
        if (v > 1) {
            throw new MalformedMessageException(field + " at offset " + (pos - 1) + " must be 0 or 1, was " + v);
        }
        return v == 1;
    }

    public int i32(String field) {
        need(4, field);
        int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public long i64(String field) {
        need(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xFFL);
        }
        pos += 8;
        return v;
    }

    public long varLong(String field) {
        long v = 0;
        int start = pos;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1, field);
            byte b = buf[pos++];
            if (shift == 63 && (b & 0xFE) != 0) {
                break;
            }
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new MalformedMessageException(field + " at offset " + start + " is a varint longer than 64 bits");
    }

    /** A varint in {@code [0, max]}. */
    public int varInt(String field, int max) {
        int at = pos;
        long v = varLong(field);
        if (v < 0 || v > max) {
            throw new MalformedMessageException(field + " at offset " + at + " is " + Long.toUnsignedString(v)
                    + ", more than the limit " + max);
        }
        return (int) v;
    }

    /** A length-prefixed byte string of at most {@code maxLen} bytes. */
    public byte[] bytes(String field, int maxLen) {
        int len = varInt(field + " length", maxLen);
        need(len, field);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return out;
    }

    /** A length-prefixed strict UTF-8 string of at most {@code maxBytes} bytes. */
    public String string(String field, int maxBytes) {
        int len = varInt(field + " length", maxBytes);
        need(len, field);
        int at = pos;
        pos += len;
        for (int i = at; i < at + len; i++) {
            if (buf[i] < 0) {
                return strictUtf8(field, at, len);
            }
        }
        // ASCII (node names, job names, most keys of the protocol): every byte is its own character.
        return new String(buf, at, len, StandardCharsets.ISO_8859_1);
    }

    private String strictUtf8(String field, int at, int len) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(buf, at, len)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedMessageException(field + " at offset " + at + " is not valid UTF-8");
        }
    }

    /** Fails unless every byte was consumed: trailing garbage means a framing or version bug. */
    public void expectEnd(String message) {
        if (pos != end) {
            throw new MalformedMessageException(message + ": " + (end - pos) + " unexpected trailing bytes at offset " + pos);
        }
    }
}
