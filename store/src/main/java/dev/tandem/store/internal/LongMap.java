package dev.tandem.store.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A map from {@code long} request ids to pending operations: open addressing with linear probing
 * over a {@code long[]} of keys and an array of values, removal by backward shift (no deleted
 * markers, so probe chains stay as short as the load allows).
 *
 * <p>Why not {@code HashMap<Long, V>}: on a node with 256 writes in flight, finding the write an
 * acknowledgement is for took 7 % of the coordinator's thread — the table, its {@code Node}, the
 * boxed key, each a cache miss. Here the two arrays of a few hundred pending operations stay in
 * the cache. The slot is a Fibonacci hash of the id (its product with 2^64 / phi, top bits):
 * request ids come in sequence, and with the id's low bits as the slot the ids in flight formed
 * one long probe run, which every removal had to scan to its end (6 % of the thread).
 *
 * <p>Iteration ({@link #values}) is in slot order, deterministic for the same history of puts
 * and removals, as the simulator needs. Not thread-safe; node-thread only. Values are never null.
 */
final class LongMap<V> {
    private static final int MIN_CAPACITY = 16;

    private long[] keys = new long[MIN_CAPACITY];
    private Object[] vals = new Object[MIN_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    private static int slot(long key, int mask) {
        // Top bits of the product, brought down to the table's size (mask + 1 is a power of two).
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - Integer.bitCount(mask)));
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        long[] k = keys;
        Object[] v = vals;
        int mask = k.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object o = v[i];
            if (o == null) {
                return null;
            }
            if (k[i] == key) {
                return (V) o;
            }
        }
    }

    boolean containsKey(long key) {
        return get(key) != null;
    }

    /** Maps {@code key} to {@code value} (not null); returns the value it replaced, or null. */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        if ((size + 1) * 4L > keys.length * 3L) {
            resize(keys.length * 2);
        }
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object o = vals[i];
            if (o == null) {
                keys[i] = key;
                vals[i] = value;
                size++;
                return null;
            }
            if (keys[i] == key) {
                vals[i] = value;
                return (V) o;
            }
        }
    }

    /** Removes {@code key}'s mapping; returns its value, or null if there was none. */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (true) {
            Object o = vals[i];
            if (o == null) {
                return null;
            }
            if (keys[i] == key) {
                break;
            }
            i = (i + 1) & mask;
        }
        V removed = (V) vals[i];
        // Backward shift: move later entries of the probe run into the hole when their home slot
        // does not lie (cyclically) between the hole and where they are.
        int hole = i;
        for (int j = (hole + 1) & mask; vals[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                vals[hole] = vals[j];
                hole = j;
            }
        }
        vals[hole] = null;
        keys[hole] = 0;
        size--;
        return removed;
    }

    void clear() {
        if (size > 0 || keys.length > MIN_CAPACITY) {
            keys = new long[MIN_CAPACITY];
            vals = new Object[MIN_CAPACITY];
            size = 0;
        }
    }

    /** A copy of the values, in slot order: safe to iterate while the map changes. */
    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (Object o : vals) {
            if (o != null) {
                out.add((V) o);
            }
        }
        return out;
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        Object[] oldVals = vals;
        keys = new long[capacity];
        vals = new Object[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldVals.length; j++) {
            if (oldVals[j] != null) {
                int i = slot(oldKeys[j], mask);
                while (vals[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                vals[i] = oldVals[j];
            }
        }
    }

    @Override
    public String toString() {
        return "LongMap{size=" + size + ", capacity=" + keys.length + "}";
    }

    // Visible for the tests: the load stays within bounds.
    int capacity() {
        return keys.length;
    }
}
