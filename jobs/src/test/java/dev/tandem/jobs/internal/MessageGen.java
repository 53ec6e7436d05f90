package dev.tandem.jobs.internal;

import dev.tandem.cluster.NodeId;
import java.util.SplittableRandom;

/** Random valid jobs messages of every type, from a seed. */
final class MessageGen {
    static final int MAX_PAYLOAD = 4096;

    private MessageGen() {
    }

    static NodeId node(SplittableRandom r) {
        return new NodeId("n" + r.nextInt(1, 99), r.nextInt(0, 3) == 0 ? r.nextLong(0, Long.MAX_VALUE) : r.nextInt(1, 5));
    }

    static byte[] bytes(SplittableRandom r, int max) {
        byte[] b = new byte[r.nextInt(0, max + 1)];
        r.nextBytes(b);
        return b;
    }

    /** A lineage or lineage clock: 0, a clock-like stamp, or anything up to the bound. */
    static long lineage(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> 0;
            case 1 -> r.nextLong(1, 1L << 52);
            default -> r.nextLong(0, Messages.MAX_LINEAGE + 1);
        };
    }

    static Record record(SplittableRandom r) {
        NodeId e = node(r);
        return new Record("job-" + r.nextInt(1_000), r.nextBoolean() ? "work" : "square", bytes(r, 32), lineage(r),
                r.nextInt(1, 1_000), r.nextLong(1, Long.MAX_VALUE), e, node(r), r.nextInt(0, 3), r.nextBoolean() ? e : node(r),
                bytes(r, 32));
    }

    static Record workerRecord(SplittableRandom r) {
        Record x = record(r);
        return new Record("worker:w" + r.nextInt(100), "counter", x.input(), x.lineage(), x.attempt(), x.epoch(), x.executor(),
                x.backup(), x.state(), x.ranOn(), x.result());
    }

    static Messages.Body body(SplittableRandom r) {
        long req = r.nextBoolean() ? r.nextInt(100) : r.nextLong() & Long.MAX_VALUE;
        return switch (r.nextInt(16)) {
            case 0 -> new Messages.Call(req, r.nextInt(1, 10), "square", bytes(r, 64));
            case 1 -> new Messages.CallReply(req, r.nextInt(1, 10), r.nextInt(0, 5), bytes(r, 64));
            case 2 -> new Messages.Cancel(req, r.nextInt(1, 10));
            case 3 -> new Messages.RecordMsg(record(r));
            case 4 -> {
                Record x = record(r);
                yield x.ack();
            }
            case 5 -> new Messages.StatusReq(req, "job-" + r.nextInt(1_000));
            case 6 -> new Messages.StatusReply(req, r.nextBoolean() ? record(r) : null);
            case 7 -> new Messages.Load();
            case 8 -> new Messages.WorkerStart(req, "w" + r.nextInt(100), r.nextBoolean() ? "counter" : "cache", bytes(r, 64),
                    lineage(r));
            case 9 -> new Messages.WorkerStartReply(req, r.nextInt(0, 4), r.nextBoolean() ? workerRecord(r) : null,
                    r.nextBoolean() ? "" : "worker 'w' is already running on n3#2 (incarnation " + r.nextInt(9) + ")");
            case 10 -> new Messages.WorkerMsg(req, "w" + r.nextInt(100), lineage(r), r.nextInt(1, 1_000), r.nextLong(1, Long.MAX_VALUE),
                    r.nextBoolean(), bytes(r, 64));
            case 11 -> new Messages.WorkerReply(req, r.nextInt(0, 6), lineage(r), r.nextInt(0, 1_000), r.nextLong(0, Long.MAX_VALUE),
                    bytes(r, 64));
            case 12 -> new Messages.WorkerStop(req, "w" + r.nextInt(100));
            case 13 -> new Messages.WorkerStopReply(req, r.nextInt(0, 2));
            case 14 -> new Messages.WorkerListReq(req);
            default -> {
                java.util.List<Record> recs = new java.util.ArrayList<>();
                for (int i = r.nextInt(0, 4); i > 0; i--) {
                    recs.add(workerRecord(r));
                }
                yield new Messages.WorkerListReply(req, java.util.List.copyOf(recs));
            }
        };
    }

    static byte[] message(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Messages.encode(node(r), r.nextLong(0, 1L << 40), r.nextInt(0, 10_000), lineage(r), body(r));
    }
}
