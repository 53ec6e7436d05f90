package dev.tandem.store.internal;

import dev.tandem.store.internal.Messages.Ack;
import dev.tandem.store.internal.Messages.Body;
import dev.tandem.store.internal.Messages.Digest;
import dev.tandem.store.internal.Messages.DigestReply;
import dev.tandem.store.internal.Messages.Header;
import dev.tandem.store.internal.Messages.PartitionDigest;
import dev.tandem.store.internal.Messages.Push;
import dev.tandem.store.internal.Messages.PushAck;
import dev.tandem.store.internal.Messages.Read;
import dev.tandem.store.internal.Messages.ReadAnswer;
import dev.tandem.store.internal.Messages.ReadReply;
import dev.tandem.store.internal.Messages.WireEntry;
import dev.tandem.store.internal.Messages.Write;
import dev.tandem.store.internal.Messages.WriteAck;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Generates valid store messages of every type from a seed (for properties and fuzz seeds). */
final class MessageGen {
    static final Messages.Limits LIMITS = new Messages.Limits(64, 256, 1024);

    private MessageGen() {
    }

    static byte[] bytes(SplittableRandom r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    static WireEntry entry(SplittableRandom r) {
        boolean tomb = r.nextInt(4) == 0;
        long tag = (r.nextLong() & Versions.TAG_MASK) | (tomb ? Versions.TOMBSTONE : 0);
        return new WireEntry(r.nextLong(0, Long.MAX_VALUE), tag,
                Records.of(bytes(r, LIMITS.maxKeyBytes()), tomb ? null : bytes(r, LIMITS.maxValueBytes())));
    }

    static Header header(SplittableRandom r) {
        return new Header("node-" + r.nextInt(100), r.nextLong(0, Long.MAX_VALUE), r.nextLong(0, 1000), r.nextLong(),
                r.nextLong());
    }

    static Body body(SplittableRandom r, int type) {
        int n = r.nextInt(6);
        switch (type) {
            case Messages.WRITE -> {
                long[] ids = new long[n];
                List<WireEntry> es = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ids[i] = r.nextLong(0, Long.MAX_VALUE);
                    es.add(entry(r));
                }
                return new Write(ids, es);
            }
            case Messages.WRITE_ACK -> {
                List<Ack> acks = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int st = r.nextInt(4);
                    acks.add(new Ack(r.nextLong(0, Long.MAX_VALUE), r.nextLong(), st,
                            st == Messages.ACK_SUPERSEDED ? r.nextLong() : 0, st == Messages.ACK_SUPERSEDED ? r.nextLong() : 0));
                }
                return new WriteAck(acks);
            }
            case Messages.READ -> {
                long[] ids = new long[n];
                List<byte[]> keys = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ids[i] = r.nextLong(0, Long.MAX_VALUE);
                    keys.add(bytes(r, LIMITS.maxKeyBytes()));
                }
                return new Read(ids, keys);
            }
            case Messages.READ_REPLY -> {
                List<ReadAnswer> as = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    as.add(new ReadAnswer(r.nextLong(0, Long.MAX_VALUE), r.nextBoolean() ? entry(r) : null));
                }
                return new ReadReply(as);
            }
            case Messages.DIGEST -> {
                List<PartitionDigest> ds = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ds.add(new PartitionDigest(r.nextInt(LIMITS.partitions()), r.nextLong(), r.nextInt(1 << 20)));
                }
                return new Digest(r.nextLong(0, Long.MAX_VALUE), r.nextInt(2), r.nextLong(), ds);
            }
            case Messages.DIGEST_REPLY -> {
                int[] ps = new int[n];
                int[] st = new int[n];
                for (int i = 0; i < n; i++) {
                    ps[i] = r.nextInt(LIMITS.partitions());
                    st[i] = r.nextInt(3);
                }
                return new DigestReply(r.nextLong(0, Long.MAX_VALUE), ps, st);
            }
            case Messages.PUSH -> {
                List<WireEntry> es = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    es.add(entry(r));
                }
                return new Push(r.nextLong(0, Long.MAX_VALUE), r.nextLong(0, Long.MAX_VALUE), r.nextInt(LIMITS.partitions()),
                        r.nextBoolean(), es);
            }
            default -> {
                return new PushAck(r.nextLong(0, Long.MAX_VALUE), r.nextLong(0, Long.MAX_VALUE), r.nextBoolean());
            }
        }
    }

    /** A valid encoded message of a random type. */
    static byte[] message(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Messages.encode(header(r), body(r, 1 + r.nextInt(8)));
    }
}
