package dev.tandem.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The one key hash every Tandem node of every version uses to decide where a key lives.
 *
 * <p><b>Definition (a wire-format commitment; never change it):</b> the hash of a key is
 * XXH64 of the key's bytes with seed 0, as specified by the xxHash project (XXH64 in
 * {@code xxhash.h}, "XXH64 algorithm description"). For example {@code of(new byte[0]) ==
 * 0xEF46DB3751D8E999L} and {@code of("abc") == 0x44BC2CF5AD770999L}; the golden vectors in
 * {@code KeyHashTest} were produced by the reference {@code xxhsum -H64} tool. Typed keys are
 * hashed through their codec's bytes, so a key's location depends only on its encoding.
 *
 * <p>XXH64 was chosen because it is fast (several GB/s in pure Java), has excellent avalanche
 * behaviour, and has an independent reference implementation anyone can check against.
 *
 * <p>{@link #mix(long)} is a separate, also frozen, 64-bit finaliser that strategies use to derive
 * further well-distributed values from a hash (rendezvous scores, ring points).
 */
public final class KeyHash {
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private KeyHash() {
    }

    /** XXH64(key, seed 0). */
    public static long of(byte[] key) {
        Objects.requireNonNull(key, "key");
        return xxh64(key, 0, key.length, 0L);
    }

    /** XXH64 of the UTF-8 bytes of {@code key}, seed 0. */
    public static long of(String key) {
        return of(key.getBytes(StandardCharsets.UTF_8));
    }

    /** XXH64 of {@code len} bytes of {@code buf} from {@code off} with the given seed. */
    public static long xxh64(byte[] buf, int off, int len, long seed) {
        Objects.checkFromIndexSize(off, len, buf.length);
        int p = off;
        int end = off + len;
        long h;
        if (len >= 32) {
            long v1 = seed + P1 + P2;
            long v2 = seed + P2;
            long v3 = seed;
            long v4 = seed - P1;
            int limit = end - 32;
            do {
                v1 = round(v1, le64(buf, p));
                v2 = round(v2, le64(buf, p + 8));
                v3 = round(v3, le64(buf, p + 16));
                v4 = round(v4, le64(buf, p + 24));
                p += 32;
            } while (p <= limit);
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = mergeRound(h, v1);
            h = mergeRound(h, v2);
            h = mergeRound(h, v3);
            h = mergeRound(h, v4);
        } else {
            h = seed + P5;
        }
        h += len;
        while (p + 8 <= end) {
            h ^= round(0, le64(buf, p));
            h = Long.rotateLeft(h, 27) * P1 + P4;
            p += 8;
        }
        if (p + 4 <= end) {
            h ^= (le32(buf, p) & 0xFFFF_FFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            p += 4;
        }
        while (p < end) {
            h ^= (buf[p] & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
            p++;
        }
        return avalanche(h);
    }

    /** XXH64 of the 8 little-endian bytes of {@code value}, seed 0 — without allocating. */
    public static long of(long value) {
        long h = P5 + 8;
        h ^= round(0, value);
        h = Long.rotateLeft(h, 27) * P1 + P4;
        return avalanche(h);
    }

    /**
     * A bijective 64-bit finaliser (the "Stafford variant 13" mixer used by SplitMix64). Frozen:
     * placement strategies derive scores and ring points with it.
     */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long round(long acc, long input) {
        acc += input * P2;
        acc = Long.rotateLeft(acc, 31);
        return acc * P1;
    }

    private static long mergeRound(long acc, long val) {
        acc ^= round(0, val);
        return acc * P1 + P4;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        return h ^ (h >>> 32);
    }

    private static long le64(byte[] b, int i) {
        return (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
                | (b[i + 4] & 0xFFL) << 32 | (b[i + 5] & 0xFFL) << 40 | (b[i + 6] & 0xFFL) << 48
                | (b[i + 7] & 0xFFL) << 56;
    }

    private static int le32(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }
}
