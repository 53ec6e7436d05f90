package dev.tandem.store.internal;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.codec.MalformedMessageException;
import java.util.Arrays;

/**
 * One stored entry's bytes in a single array: {@code [key length, LEB128 varint][key][value]}.
 * One allocation per entry and no wrapper object is what keeps a small entry near 70 heap bytes
 * (see {@code PartitionTable}). Tombstones store no value.
 */
final class Records {
    private Records() {
    }

    static byte[] of(byte[] key, byte[] value) {
        int kl = key.length;
        int hdr = varLen(kl);
        byte[] rec = new byte[hdr + kl + (value == null ? 0 : value.length)];
        int p = 0;
        int v = kl;
        while ((v & ~0x7F) != 0) {
            rec[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        rec[p++] = (byte) v;
        System.arraycopy(key, 0, rec, p, kl);
        if (value != null) {
            System.arraycopy(value, 0, rec, p + kl, value.length);
        }
        return rec;
    }

    private static int varLen(int v) {
        int n = 1;
        while ((v & ~0x7F) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    static int keyLength(byte[] rec) {
        int v = 0;
        for (int i = 0, shift = 0; i < 5; i++, shift += 7) {
            int b = rec[i];
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalStateException("corrupt record");
    }

    static int keyOffset(byte[] rec) {
        return varLen(keyLength(rec));
    }

    static int valueOffset(byte[] rec) {
        int kl = keyLength(rec);
        return varLen(kl) + kl;
    }

    static int valueLength(byte[] rec) {
        return rec.length - valueOffset(rec);
    }

    static byte[] key(byte[] rec) {
        int off = keyOffset(rec);
        return Arrays.copyOfRange(rec, off, off + keyLength(rec));
    }

    static byte[] value(byte[] rec) {
        return Arrays.copyOfRange(rec, valueOffset(rec), rec.length);
    }

    static long keyHash(byte[] rec) {
        return KeyHash.xxh64(rec, keyOffset(rec), keyLength(rec), 0L);
    }

    static boolean keyEquals(byte[] rec, byte[] key) {
        int kl = keyLength(rec);
        if (kl != key.length) {
            return false;
        }
        int off = varLen(kl);
        return Arrays.equals(rec, off, off + kl, key, 0, kl);
    }

    static boolean sameKey(byte[] a, byte[] b) {
        int ka = keyLength(a);
        if (ka != keyLength(b)) {
            return false;
        }
        int off = varLen(ka);
        return Arrays.equals(a, off, off + ka, b, off, off + ka);
    }

    /**
     * Checks a record that arrived from the network: a well-formed key length within
     * {@code maxKey}, a value within {@code maxValue}, and no value on a tombstone.
     */
    static void validate(byte[] rec, boolean tombstone, int maxKey, int maxValue, String field) {
        int kl = 0;
        int i = 0;
        for (int shift = 0; ; shift += 7) {
            if (i >= rec.length || i >= 3) {
                throw new MalformedMessageException(field + ": record key length is truncated or too long");
            }
            int b = rec[i++];
            kl |= (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
        }
        if (i != varLen(kl)) {
            throw new MalformedMessageException(field + ": record key length is not minimally encoded");
        }
        if (kl > maxKey || kl > rec.length - i) {
            throw new MalformedMessageException(field + ": record key of " + kl + " bytes exceeds the limit "
                    + maxKey + " or the record (" + rec.length + " bytes)");
        }
        int vl = rec.length - i - kl;
        if (tombstone ? vl != 0 : vl > maxValue) {
            throw new MalformedMessageException(field + ": record value of " + vl + " bytes is invalid ("
                    + (tombstone ? "a tombstone has none" : "limit " + maxValue) + ")");
        }
    }
}
