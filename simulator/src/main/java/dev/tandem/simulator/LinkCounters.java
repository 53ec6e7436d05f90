package dev.tandem.simulator;

import dev.tandem.cluster.KeyHash;

/**
 * Messages in flight per directed link, as an open-addressing {@code long -> int} table with
 * linear probing.
 *
 * <p>Only links with messages in flight have an entry: an entry whose count drops to zero is
 * removed by backward-shift deletion (the entries after it in its probe run move back to close
 * the gap, so lookups never need tombstones). The table therefore stays as small as the number
 * of busy links — a few thousand even with thousands of nodes — instead of growing towards
 * {@code nodes^2}, which keeps it in cache. Load stays at most one half, so probe loops end.
 */
final class LinkCounters {
    private long[] keys = new long[1 << 10]; // 0 = empty; stored keys are link + 1
    private int[] values = new int[1 << 10];
    private int size;

    int get(long link) {
        long key = link + 1;
        int mask = keys.length - 1;
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == 0) {
                return 0;
            }
        }
    }

    /**
     * @throws IllegalStateException if a count would go below zero (a simulator bug)
     */
    void add(long link, int delta) {
        long key = link + 1;
        int mask = keys.length - 1;
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                int v = values[i] + delta;
                if (v < 0) {
                    throw new IllegalStateException("link " + link + " would have " + v + " messages in flight");
                }
                if (v == 0) {
                    remove(i);
                } else {
                    values[i] = v;
                }
                return;
            }
            if (k == 0) {
                if (delta < 0) {
                    throw new IllegalStateException("link " + link + " would have " + delta + " messages in flight");
                }
                if (delta > 0) {
                    keys[i] = key;
                    values[i] = delta;
                    if (++size * 2 > keys.length) {
                        grow();
                    }
                }
                return;
            }
        }
    }

    /** Links with messages in flight. */
    int size() {
        return size;
    }

    private void remove(int slot) {
        int mask = keys.length - 1;
        int gap = slot;
        for (int j = (gap + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int h = home(keys[j], mask);
            // The entry at j may move back into the gap unless its home lies cyclically in (gap, j].
            boolean homeBetween = gap <= j ? gap < h && h <= j : gap < h || h <= j;
            if (!homeBetween) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        keys[gap] = 0;
        values[gap] = 0;
        size--;
    }

    private static int home(long key, int mask) {
        return (int) KeyHash.mix(key) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldValues.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            long key = oldKeys[j];
            if (key != 0) {
                int i = home(key, mask);
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                values[i] = oldValues[j];
            }
        }
    }
}
