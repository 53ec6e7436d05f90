package dev.tandem.simulator;

import dev.tandem.cluster.KeyHash;

/**
 * Messages in flight per directed link, as an open-addressing {@code long -> int} table.
 *
 * <p>One entry per link that has ever carried a message; entries are never removed (a link's
 * count drops back to zero), so probing needs no tombstones and the table is bounded by the
 * number of links, {@code nodes^2}.
 */
final class LinkCounters {
    private long[] keys = new long[1 << 10]; // 0 = empty; stored keys are link + 1
    private int[] values = new int[1 << 10];
    private int size;

    int get(long link) {
        long key = link + 1;
        int mask = keys.length - 1;
        for (int i = (int) KeyHash.mix(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == 0) {
                return 0;
            }
        }
    }

    void add(long link, int delta) {
        long key = link + 1;
        int mask = keys.length - 1;
        for (int i = (int) KeyHash.mix(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                values[i] += delta;
                return;
            }
            if (k == 0) {
                keys[i] = key;
                values[i] = delta;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return;
            }
        }
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
                int i = (int) KeyHash.mix(key) & mask;
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                values[i] = oldValues[j];
            }
        }
    }
}
