package dev.tandem.store.internal;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.codec.MalformedMessageException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One stored entry in a single array, version included:
 * {@code [i64 hlc][i64 tag][key length, LEB128 varint][key][value]} (big-endian, as on the wire).
 * One allocation per entry and no wrapper object or parallel version arrays is what keeps a small
 * entry near 65 heap bytes per copy (see {@code PartitionTable}). Tombstones store no value.
 *
 * <p>A record is created unversioned by {@link #of} and {@link #stamp stamped} with its version
 * before it is stored or sent; once stored it is never changed (a new version is a new record).
 */
final class Records {
    /** Bytes of the version header in front of the key length. */
    static final int VERSION_BYTES = 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Records() {
    }

    /** The record's HLC. */
    static long hlc(byte[] rec) {
        return (long) LONGS.get(rec, 0);
    }

    /** The record's writer tag (top bit: tombstone). */
    static long tag(byte[] rec) {
        return (long) LONGS.get(rec, 8);
    }

    /** Writes the version into {@code rec}'s header; returns {@code rec}. */
    static byte[] stamp(byte[] rec, long hlc, long tag) {
        LONGS.set(rec, 0, hlc);
        LONGS.set(rec, 8, tag);
        return rec;
    }

    static byte[] of(byte[] key, byte[] value) {
        int kl = key.length;
        int hdr = varLen(kl);
        byte[] rec = new byte[VERSION_BYTES + hdr + kl + (value == null ? 0 : value.length)];
        int p = VERSION_BYTES;
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
            int b = rec[VERSION_BYTES + i];
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalStateException("corrupt record");
    }

    static int keyOffset(byte[] rec) {
        return VERSION_BYTES + varLen(keyLength(rec));
    }

    static int valueOffset(byte[] rec) {
        int kl = keyLength(rec);
        return VERSION_BYTES + varLen(kl) + kl;
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
        int off = VERSION_BYTES + varLen(kl);
        return Arrays.equals(rec, off, off + kl, key, 0, kl);
    }

    static boolean sameKey(byte[] a, byte[] b) {
        int ka = keyLength(a);
        if (ka != keyLength(b)) {
            return false;
        }
        int off = VERSION_BYTES + varLen(ka);
        return Arrays.equals(a, off, off + ka, b, off, off + ka);
    }

    /**
     * Checks a record that arrived from the network: a version header with a non-negative HLC, a
     * well-formed key length within {@code maxKey}, a value within {@code maxValue}, and no value
     * on a tombstone.
     */
    static void validate(byte[] rec, int maxKey, int maxValue, String field) {
        if (rec.length < VERSION_BYTES + 1) {
            throw new MalformedMessageException(field + ": record of " + rec.length + " bytes is shorter than its"
                    + " version header and key length");
        }
        if (hlc(rec) < 0) {
            throw new MalformedMessageException(field + ": hlc is negative");
        }
        boolean tombstone = Versions.isTombstone(tag(rec));
        int kl = 0;
        int i = VERSION_BYTES;
        for (int shift = 0; ; shift += 7) {
            if (i >= rec.length || i >= VERSION_BYTES + 3) {
                throw new MalformedMessageException(field + ": record key length is truncated or too long");
            }
            int b = rec[i++];
            kl |= (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
        }
        if (i != VERSION_BYTES + varLen(kl)) {
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
