package dev.tandem.store.internal;

import dev.tandem.cluster.KeyHash;
import java.util.Arrays;

/**
 * The entries of one partition on one node: an open-addressing hash table with linear probing
 * over one array of {@link Records records} — version (HLC and writer tag, top bit = tombstone),
 * key and value in one {@code byte[]}. No per-entry object beyond the record and no parallel
 * version arrays, so a small entry (8-byte key, 8-byte value) costs its 56-byte record plus one
 * 4-byte slot (compressed references) per 0.375-0.75 of load: 61-67 bytes per copy. (With the
 * version in two parallel {@code long[]}s, as before, every slot cost 20 bytes: 67-93.)
 *
 * <p>Alongside the entries it keeps, incrementally, what the protocol compares and counts:
 * an order-independent XOR digest of (key hash, version) over all entries including tombstones,
 * the number of tombstones, and a modification counter that any applied change bumps (handoff
 * drops a partition only if the counter still has the value its confirmed copy was taken at).
 *
 * <p>Not thread-safe; node-thread only. Entries are never removed one by one (a delete is a
 * tombstone write); tombstone purges rebuild the table once and handoff clears it, so there are
 * no deleted markers and probe chains stay short.
 */
final class PartitionTable {
    static final int APPLIED = 1;
    static final int UNCHANGED = 0;
    static final int SUPERSEDED = -1;

    private static final int MIN_CAPACITY = 8;

    private byte[][] recs = new byte[MIN_CAPACITY][];
    private int size;
    private int tombstones;
    private long digest;
    private int modCount;
    private long bytes;

    /** Hash of one entry for the partition digest. */
    static long entryDigest(long keyHash, long hlc, long tag) {
        return KeyHash.mix(keyHash ^ KeyHash.mix(hlc ^ KeyHash.mix(tag)));
    }

    int size() {
        return size;
    }

    int liveSize() {
        return size - tombstones;
    }

    int tombstones() {
        return tombstones;
    }

    long digest() {
        return digest;
    }

    int modCount() {
        return modCount;
    }

    long bytes() {
        return bytes;
    }

    int capacity() {
        return recs.length;
    }

    private int home(long keyHash) {
        return (int) (KeyHash.mix(keyHash) & (recs.length - 1));
    }

    /** Slot of {@code key}, or -1. */
    int find(byte[] key, long keyHash) {
        int mask = recs.length - 1;
        for (int i = home(keyHash); ; i = (i + 1) & mask) {
            byte[] r = recs[i];
            if (r == null) {
                return -1;
            }
            if (Records.keyEquals(r, key)) {
                return i;
            }
        }
    }

    private int findRecord(byte[] rec, long keyHash) {
        int mask = recs.length - 1;
        for (int i = home(keyHash); ; i = (i + 1) & mask) {
            byte[] r = recs[i];
            if (r == null) {
                return -(i + 1);
            }
            if (Records.sameKey(r, rec)) {
                return i;
            }
        }
    }

    byte[] recordAt(int slot) {
        return recs[slot];
    }

    long hlcAt(int slot) {
        return Records.hlc(recs[slot]);
    }

    long tagAt(int slot) {
        return Records.tag(recs[slot]);
    }

    /**
     * Applies a versioned record if its version is newer than the one held (last-writer-wins).
     * {@code rec}'s header is stamped with {@code (hlc, tag)} (a no-op when it carries them
     * already); once stored the record must not change.
     *
     * @return {@link #APPLIED}, {@link #UNCHANGED} (the same version is held: an idempotent replay)
     *         or {@link #SUPERSEDED} (a newer version is held; {@link #find} then gives its slot)
     */
    int apply(byte[] rec, long keyHash, long hlc, long tag) {
        int i = findRecord(rec, keyHash);
        if (i >= 0) {
            byte[] held = recs[i];
            long heldHlc = Records.hlc(held);
            long heldTag = Records.tag(held);
            int c = Versions.compare(hlc, tag, heldHlc, heldTag);
            if (c == 0) {
                return UNCHANGED;
            }
            if (c < 0) {
                return SUPERSEDED;
            }
            Records.stamp(rec, hlc, tag);
            digest ^= entryDigest(keyHash, heldHlc, heldTag) ^ entryDigest(keyHash, hlc, tag);
            tombstones += (Versions.isTombstone(tag) ? 1 : 0) - (Versions.isTombstone(heldTag) ? 1 : 0);
            bytes += rec.length - held.length;
            recs[i] = rec;
            modCount++;
            return APPLIED;
        }
        if ((size + 1) * 4L > recs.length * 3L) {
            resize(recs.length * 2);
            i = findRecord(rec, keyHash);
        }
        int slot = -i - 1;
        recs[slot] = Records.stamp(rec, hlc, tag);
        size++;
        bytes += rec.length;
        if (Versions.isTombstone(tag)) {
            tombstones++;
        }
        digest ^= entryDigest(keyHash, hlc, tag);
        modCount++;
        return APPLIED;
    }

    /** Sabotage only: overwrites whatever version is held (last arrival wins). */
    int applyIgnoringVersions(byte[] rec, long keyHash, long hlc, long tag) {
        int i = findRecord(rec, keyHash);
        if (i >= 0 && (hlcAt(i) != hlc || tagAt(i) != tag)) {
            digest ^= entryDigest(keyHash, hlcAt(i), tagAt(i)) ^ entryDigest(keyHash, hlc, tag);
            tombstones += (Versions.isTombstone(tag) ? 1 : 0) - (Versions.isTombstone(tagAt(i)) ? 1 : 0);
            bytes += rec.length - recs[i].length;
            recs[i] = Records.stamp(rec, hlc, tag);
            modCount++;
            return APPLIED;
        }
        return apply(rec, keyHash, hlc, tag);
    }

    /**
     * Grows the table, if needed, so that {@code more} new keys fit without a resize on the way (a
     * transfer batch applied to a partition that starts empty would otherwise resize, rehashing
     * every key, about log2(batch) times). Changes nothing but the capacity.
     */
    void reserve(int more) {
        long want = (long) size + more;
        int cap = recs.length;
        while (want * 4L > cap * 3L && cap < (1 << 30)) {
            cap *= 2;
        }
        if (cap != recs.length) {
            resize(cap);
        }
    }

    private void resize(int capacity) {
        byte[][] oldRecs = recs;
        recs = new byte[capacity][];
        int mask = capacity - 1;
        for (int j = 0; j < oldRecs.length; j++) {
            byte[] r = oldRecs[j];
            if (r != null) {
                int i = home(Records.keyHash(r));
                while (recs[i] != null) {
                    i = (i + 1) & mask;
                }
                recs[i] = r;
            }
        }
    }

    /**
     * Removes the tombstones whose HLC is below {@code hlcBefore}; returns how many. Rebuilds the
     * table once instead of shifting per removal.
     */
    int purgeTombstonesBefore(long hlcBefore) {
        int n = 0;
        for (int i = 0; i < recs.length; i++) {
            if (recs[i] != null && Versions.isTombstone(tagAt(i)) && hlcAt(i) < hlcBefore) {
                n++;
            }
        }
        if (n == 0) {
            return 0;
        }
        byte[][] oldRecs = recs;
        int keep = size - n;
        int cap = MIN_CAPACITY;
        while (keep * 4L > cap * 3L) {
            cap *= 2;
        }
        recs = new byte[cap][];
        size = 0;
        tombstones = 0;
        digest = 0;
        bytes = 0;
        int mod = modCount;
        for (int j = 0; j < oldRecs.length; j++) {
            byte[] r = oldRecs[j];
            if (r != null && !(Versions.isTombstone(Records.tag(r)) && Records.hlc(r) < hlcBefore)) {
                apply(r, Records.keyHash(r), Records.hlc(r), Records.tag(r));
            }
        }
        modCount = mod + 1;
        return n;
    }

    /** Drops every entry (after a confirmed handoff). */
    void clear() {
        recs = new byte[MIN_CAPACITY][];
        size = 0;
        tombstones = 0;
        digest = 0;
        bytes = 0;
        modCount++;
    }

    /**
     * A consistent copy of the entries for streaming: one array of the (immutable) records, no
     * per-entry objects, valid however the table changes afterwards.
     */
    Snapshot snapshot() {
        byte[][] r = new byte[size][];
        int n = 0;
        for (int i = 0; i < recs.length; i++) {
            if (recs[i] != null) {
                r[n++] = recs[i];
            }
        }
        return new Snapshot(r, modCount);
    }

    record Snapshot(byte[][] recs, int modCount) {
        int size() {
            return recs.length;
        }
    }

    @Override
    public String toString() {
        return "PartitionTable{size=" + size + ", tombstones=" + tombstones + ", digest="
                + Long.toHexString(digest) + ", mod=" + modCount + ", capacity=" + recs.length + "}";
    }

    // Visible for the tests' model comparison.
    byte[][] rawRecords() {
        return Arrays.copyOf(recs, recs.length);
    }
}
