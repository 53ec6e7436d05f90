package dev.tandem.store.internal;

import dev.tandem.cluster.KeyHash;
import java.util.Arrays;

/**
 * The entries of one partition on one node: an open-addressing hash table with linear probing
 * over one array of {@link Records records} — version (HLC and writer tag, top bit = tombstone),
 * key and value in one {@code byte[]}. No per-entry object beyond the record and no parallel
 * version arrays, so a small entry (8-byte key, 8-byte value) costs its 56-byte record plus one
 * 4-byte slot (compressed references) and a 2-byte hash fragment per 0.375-0.75 of load: 64-72
 * bytes per copy. (With the version in two parallel {@code long[]}s, as before, every slot cost
 * 20 bytes: 67-93.)
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
    /**
     * Per slot, 16 bits of the key's mixed hash (never 0) or 0 for an empty slot. A probe reads
     * this array alone until the fragment matches, so it does not touch (and miss the cache on)
     * the record of every key it passes: before, finding a key's slot cost a fifth of a loaded
     * node's thread. 2 bytes per slot, 2.7-5.3 per entry.
     */
    private short[] frags = new short[MIN_CAPACITY];
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

    /** The fragment of a mixed hash: its top 16 bits (the slot comes from the low bits), never 0. */
    private static short fragment(long mixed) {
        int f = (int) (mixed >>> 48);
        return (short) (f == 0 ? 1 : f);
    }

    private int homeSlot(long keyHash) {
        return (int) (KeyHash.mix(keyHash) & (frags.length - 1));
    }

    /** The record in {@code keyHash}'s home slot (where a lookup reads first), or null. */
    byte[] homeRecord(long keyHash) {
        return recs[homeSlot(keyHash)];
    }

    /**
     * Reads what lookups of {@code n} keys read first, key {@code i} in table {@code tables[i]}:
     * in one pass every key's home slot (fragment and record reference), in a second the records
     * those slots point to. {@code scratch} (length at least {@code n}) is left cleared. Returns a
     * value made from the reads, for the caller to keep in a field so they are not optimised away.
     *
     * <p>With millions of entries each read of a lookup misses the cache (about 100 ns each here,
     * more where a virtual machine's page walks miss too), one after the other within a lookup.
     * Within a pass here the reads do not depend on each other, so the processor has many of them
     * in flight at once, and the lookups that follow hit the cache. (One pass that read slot and
     * record per key left each record read waiting for its slot read: the touch alone was 40 % of
     * a replica's thread at 400k puts/s.)
     */
    static int touchAll(PartitionTable[] tables, long[] keyHashes, int n, byte[][] scratch) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            PartitionTable t = tables[i];
            int slot = t.homeSlot(keyHashes[i]);
            s += t.frags[slot];
            scratch[i] = t.recs[slot];
        }
        for (int i = 0; i < n; i++) {
            byte[] r = scratch[i];
            if (r != null) {
                s += r[Records.VERSION_BYTES];
                scratch[i] = null;
            }
        }
        return s;
    }

    /** Slot of {@code key}, or -1. */
    int find(byte[] key, long keyHash) {
        long m = KeyHash.mix(keyHash);
        short f = fragment(m);
        short[] fr = frags;
        int mask = fr.length - 1;
        for (int i = (int) (m & mask); ; i = (i + 1) & mask) {
            short g = fr[i];
            if (g == 0) {
                return -1;
            }
            if (g == f && Records.keyEquals(recs[i], key)) {
                return i;
            }
        }
    }

    private int findRecord(byte[] rec, long keyHash) {
        long m = KeyHash.mix(keyHash);
        short f = fragment(m);
        short[] fr = frags;
        int mask = fr.length - 1;
        for (int i = (int) (m & mask); ; i = (i + 1) & mask) {
            short g = fr[i];
            if (g == 0) {
                return -(i + 1);
            }
            if (g == f && Records.sameKey(recs[i], rec)) {
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
        frags[slot] = fragment(KeyHash.mix(keyHash));
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
        frags = new short[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldRecs.length; j++) {
            byte[] r = oldRecs[j];
            if (r != null) {
                long m = KeyHash.mix(Records.keyHash(r));
                int i = (int) (m & mask);
                while (frags[i] != 0) {
                    i = (i + 1) & mask;
                }
                recs[i] = r;
                frags[i] = fragment(m);
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
        frags = new short[cap];
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
        frags = new short[MIN_CAPACITY];
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
