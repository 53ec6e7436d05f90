package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.tandem.cluster.KeyHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The compact partition table against a TreeMap model, and its digest's order independence. */
class PartitionTableProperties {

    record V(long hlc, long tag, String value) {
    }

    @Test
    void table_behavesLikeAMaxVersionMap() {
        qt().forAll(longs().all(), integers().between(1, 600)).checkAssert((seed, ops) -> {
            SplittableRandom r = new SplittableRandom(seed);
            PartitionTable t = new PartitionTable();
            TreeMap<String, V> model = new TreeMap<>();
            int keySpace = 1 + r.nextInt(200);
            for (int i = 0; i < ops; i++) {
                String k = "k" + r.nextInt(keySpace);
                long hlc = r.nextInt(50);
                long tag = r.nextInt(3) | (r.nextInt(5) == 0 ? Versions.TOMBSTONE : 0);
                String v = Versions.isTombstone(tag) ? null : "v" + r.nextInt(1000);
                byte[] key = k.getBytes(StandardCharsets.UTF_8);
                int res = t.apply(Records.of(key, v == null ? null : v.getBytes(StandardCharsets.UTF_8)), KeyHash.of(key),
                        hlc, tag);
                V old = model.get(k);
                int c = old == null ? 1 : Versions.compare(hlc, tag, old.hlc, old.tag);
                assertThat(res).isEqualTo(c > 0 ? PartitionTable.APPLIED : c == 0 ? PartitionTable.UNCHANGED
                        : PartitionTable.SUPERSEDED);
                if (c > 0) {
                    model.put(k, new V(hlc, tag, v));
                }
                if (r.nextInt(100) == 0) {
                    long before = r.nextInt(50);
                    t.purgeTombstonesBefore(before);
                    model.values().removeIf(x -> Versions.isTombstone(x.tag) && x.hlc < before);
                }
            }
            assertThat(t.size()).isEqualTo(model.size());
            assertThat(t.tombstones()).isEqualTo((int) model.values().stream().filter(x -> Versions.isTombstone(x.tag)).count());
            long digest = 0;
            for (var e : model.entrySet()) {
                byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
                int slot = t.find(key, KeyHash.of(key));
                assertThat(slot).isGreaterThanOrEqualTo(0);
                assertThat(t.hlcAt(slot)).isEqualTo(e.getValue().hlc);
                assertThat(t.tagAt(slot)).isEqualTo(e.getValue().tag);
                String v = e.getValue().value;
                if (v != null) {
                    assertThat(new String(Records.value(t.recordAt(slot)), StandardCharsets.UTF_8)).isEqualTo(v);
                }
                digest ^= PartitionTable.entryDigest(KeyHash.of(key), e.getValue().hlc, e.getValue().tag);
            }
            assertThat(t.digest()).isEqualTo(digest);
            assertThat(t.snapshot().size()).isEqualTo(model.size());
        });
    }

    @Test
    void keysSharingHomeSlotAndFragment_areStillTellApart() {
        // All keys get one hash: one home slot and one 16-bit fragment, so every probe passes the
        // fragment check and only the key comparison tells entries apart. reserve() keeps the
        // table from resizing (a resize rehashes with the keys' real hashes).
        qt().forAll(longs().all(), integers().between(1, 300)).checkAssert((hash, n) -> {
            PartitionTable t = new PartitionTable();
            t.reserve(n + 1);
            for (int i = 0; i < n; i++) {
                byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
                assertThat(t.apply(Records.of(key, ("v" + i).getBytes(StandardCharsets.UTF_8)), hash, 1, 1))
                        .isEqualTo(PartitionTable.APPLIED);
            }
            byte[] first = "key-0".getBytes(StandardCharsets.UTF_8);
            assertThat(t.apply(Records.of(first, "newer".getBytes(StandardCharsets.UTF_8)), hash, 2, 1))
                    .isEqualTo(PartitionTable.APPLIED);
            assertThat(t.homeRecord(hash)).as("the home slot is taken").isNotNull();
            byte[][] scratch = new byte[2][];
            PartitionTable.touchAll(new PartitionTable[] {t, new PartitionTable()}, new long[] {hash, hash}, 2, scratch);
            assertThat(java.util.Arrays.asList(scratch)).as("touchAll keeps no references").containsOnlyNulls();
            assertThat(t.size()).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
                int slot = t.find(key, hash);
                assertThat(slot).isGreaterThanOrEqualTo(0);
                assertThat(new String(Records.value(t.recordAt(slot)), StandardCharsets.UTF_8))
                        .isEqualTo(i == 0 ? "newer" : "v" + i);
            }
            assertThat(t.find("absent".getBytes(StandardCharsets.UTF_8), hash)).isEqualTo(-1);
        });
    }

    @Test
    void digest_dependsOnContentNotOrder() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            List<Integer> keys = new ArrayList<>();
            for (int i = 0; i < 1 + r.nextInt(100); i++) {
                keys.add(i);
            }
            PartitionTable a = new PartitionTable();
            PartitionTable b = new PartitionTable();
            for (int k : keys) {
                byte[] key = ("k" + k).getBytes(StandardCharsets.UTF_8);
                a.apply(Records.of(key, new byte[] {1}), KeyHash.of(key), 10 + k, 1);
            }
            Collections.shuffle(keys, new Random(seed));
            for (int k : keys) {
                byte[] key = ("k" + k).getBytes(StandardCharsets.UTF_8);
                b.apply(Records.of(key, new byte[] {1}), KeyHash.of(key), 10 + k, 1);
            }
            assertThat(a.digest()).isEqualTo(b.digest());
            byte[] key = ("k" + keys.get(0)).getBytes(StandardCharsets.UTF_8);
            b.apply(Records.of(key, new byte[] {2}), KeyHash.of(key), 1000, 1);
            assertThat(a.digest()).isNotEqualTo(b.digest());
        });
    }
}
