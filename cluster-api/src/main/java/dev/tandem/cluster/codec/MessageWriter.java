package dev.tandem.cluster.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one protocol message: a growable byte array with big-endian fixed-width fields,
 * LEB128-style unsigned varints and length-prefixed byte strings. Pairs with
 * {@link MessageReader}. Not thread-safe; cheap to create.
 */
public final class MessageWriter {
    private byte[] buf;
    private int size;

    public MessageWriter() {
        this(64);
    }

    public MessageWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        int need = size + extra;
        if (need < 0) {
            throw new IllegalStateException("message larger than 2 GiB");
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
        }
    }

    public MessageWriter u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public MessageWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public MessageWriter i32(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    public MessageWriter i64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    /** An unsigned varint: 7 bits a byte, low group first; 1 byte for values below 128. */
    public MessageWriter varLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    /** A non-negative int as a varint. */
    public MessageWriter varInt(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("varInt must be >= 0, was " + v);
        }
        return varLong(v);
    }

    /** Varint length, then the bytes. */
    public MessageWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public MessageWriter bytes(byte[] b, int off, int len) {
        varInt(len);
        return raw(b, off, len);
    }

    /** The bytes with no length prefix. */
    public MessageWriter raw(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
        return this;
    }

    /** UTF-8 with a varint length. */
    public MessageWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public int size() {
        return size;
    }

    /** The message so far, trimmed to size. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
