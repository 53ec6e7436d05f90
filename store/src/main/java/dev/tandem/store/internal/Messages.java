package dev.tandem.store.internal;

import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageReader;
import dev.tandem.cluster.codec.MessageWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The store's wire format on {@link dev.tandem.cluster.runtime.Channels#STORE}: immutable message
 * types and a stateless encoder/decoder. Every message starts with the same header:
 *
 * <pre>
 *   u8 format version (2) | u8 type | string sender name | varint sender incarnation
 *   | varint receiver incarnation | i64 sender HLC | i64 sender wall-clock millis | body
 * </pre>
 *
 * A receiver drops messages addressed to another incarnation of itself (a reply meant for its
 * previous life), merges the sender's HLC into its own (unless it is too far ahead) and takes the
 * sender's wall clock as a sample for its clock guard ({@link ClockGuard}). Entries travel as
 * {@code bytes record} where the record is the stored {@link Records} form, version header
 * ({@code i64 hlc | i64 tag}) included, so a received entry is stored with one copy and no
 * re-encoding.
 * Decoding validates every length against the configured limits before allocating and rejects
 * trailing bytes.
 */
final class Messages {
    static final int FORMAT = 2;
    static final int WRITE = 1;
    static final int WRITE_ACK = 2;
    static final int READ = 3;
    static final int READ_REPLY = 4;
    static final int DIGEST = 5;
    static final int DIGEST_REPLY = 6;
    static final int PUSH = 7;
    static final int PUSH_ACK = 8;

    static final int MAX_ITEMS = 1 << 20;

    /** Limits a decoder enforces; from the store config. */
    record Limits(int maxKeyBytes, int maxValueBytes, int partitions) {
        int maxRecordBytes() {
            return Records.VERSION_BYTES + maxKeyBytes + maxValueBytes + 3;
        }
    }

    record Header(String from, long fromIncarnation, long toIncarnation, long hlc, long wallMillis) {
        Header {
            Objects.requireNonNull(from, "from");
        }
    }

    /**
     * A versioned entry; {@code record} is the stored {@link Records} form, whose header this
     * constructor stamps with {@code (hlc, tag)} (a no-op for a record already carrying them).
     */
    record WireEntry(long hlc, long tag, byte[] record) {
        WireEntry {
            Records.stamp(record, hlc, tag);
        }
    }

    sealed interface Body permits Write, WriteAck, Read, ReadReply, Digest, DigestReply, Push, PushAck {
    }

    record Envelope(Header header, Body body) {
    }

    /** Writes to apply; {@code reqIds[i]} identifies entry i at the coordinator (0 = no ack wanted). */
    record Write(long[] reqIds, List<WireEntry> entries) implements Body {
    }

    static final int ACK_APPLIED = 0;
    static final int ACK_SUPERSEDED = 1;
    static final int ACK_REJECTED = 2;
    /** The replica's clock guard refused the version: it is too far ahead of the replica's clock. */
    static final int ACK_CLOCK_AHEAD = 3;

    /** One answer per write: for version {@code hlc} of request {@code reqId}; if superseded, the newer version held. */
    record Ack(long reqId, long hlc, int status, long heldHlc, long heldTag) {
    }

    record WriteAck(List<Ack> acks) implements Body {
    }

    record Read(long[] reqIds, List<byte[]> keys) implements Body {
    }

    /** An answer to a read: {@code entry} is null when the key is absent. */
    record ReadAnswer(long reqId, WireEntry entry) {
    }

    record ReadReply(List<ReadAnswer> answers) implements Body {
    }

    /** Flags of a digest exchange. */
    static final int DIGEST_BIDIRECTIONAL = 1;

    record PartitionDigest(int partition, long digest, int count) {
    }

    /**
     * Digests of partitions for comparison. {@code bidirectional}: anti-entropy between owners
     * (both sides push on mismatch, both purge tombstones below {@code purgeBeforeHlc} on match);
     * otherwise a handoff probe (only the sender pushes).
     */
    record Digest(long session, int flags, long purgeBeforeHlc, List<PartitionDigest> digests) implements Body {
    }

    static final int DIGEST_MISMATCH = 0;
    static final int DIGEST_MATCH = 1;
    /** The receiver does not own the partition in its view: its copy confirms nothing. */
    static final int DIGEST_NOT_OWNER = 2;

    record DigestReply(long session, int[] partitions, int[] status) implements Body {
    }

    /** One batch of a partition stream; {@code last} closes the partition. */
    record Push(long stream, long seq, int partition, boolean last, List<WireEntry> entries) implements Body {
    }

    /** {@code owner}: the receiver owns the batch's partition in its view (only then does it confirm a handoff). */
    record PushAck(long stream, long seq, boolean owner) implements Body {
    }

    private Messages() {
    }

    // ---------------------------------------------------------------- encoding

    static MessageWriter header(int type, Header h, int sizeHint) {
        MessageWriter w = new MessageWriter(sizeHint + 48);
        w.u8(FORMAT).u8(type).string(h.from()).varLong(h.fromIncarnation()).varLong(h.toIncarnation()).i64(h.hlc())
                .i64(h.wallMillis());
        return w;
    }

    static void entry(MessageWriter w, WireEntry e) {
        w.bytes(e.record()); // the version travels in the record's header
    }

    static byte[] encode(Header h, Body body) {
        MessageWriter w;
        if (body instanceof Write m) {
            w = header(WRITE, h, 64);
            w.varInt(m.entries().size());
            for (int i = 0; i < m.entries().size(); i++) {
                WireEntry e = m.entries().get(i);
                w.varLong(m.reqIds()[i]);
                entry(w, e);
            }
        } else if (body instanceof WriteAck m) {
            w = header(WRITE_ACK, h, 16 * m.acks().size());
            w.varInt(m.acks().size());
            for (Ack a : m.acks()) {
                w.varLong(a.reqId()).i64(a.hlc()).u8(a.status());
                if (a.status() == ACK_SUPERSEDED) {
                    w.i64(a.heldHlc()).i64(a.heldTag());
                }
            }
        } else if (body instanceof Read m) {
            w = header(READ, h, 32);
            w.varInt(m.keys().size());
            for (int i = 0; i < m.keys().size(); i++) {
                w.varLong(m.reqIds()[i]).bytes(m.keys().get(i));
            }
        } else if (body instanceof ReadReply m) {
            w = header(READ_REPLY, h, 32);
            w.varInt(m.answers().size());
            for (ReadAnswer a : m.answers()) {
                w.varLong(a.reqId()).bool(a.entry() != null);
                if (a.entry() != null) {
                    entry(w, a.entry());
                }
            }
        } else if (body instanceof Digest m) {
            w = header(DIGEST, h, 20 * m.digests().size());
            w.varLong(m.session()).u8(m.flags()).i64(m.purgeBeforeHlc()).varInt(m.digests().size());
            for (PartitionDigest d : m.digests()) {
                w.varInt(d.partition()).i64(d.digest()).varInt(d.count());
            }
        } else if (body instanceof DigestReply m) {
            w = header(DIGEST_REPLY, h, 4 * m.partitions().length);
            w.varLong(m.session()).varInt(m.partitions().length);
            for (int i = 0; i < m.partitions().length; i++) {
                w.varInt(m.partitions()[i]).u8(m.status()[i]);
            }
        } else if (body instanceof Push m) {
            w = header(PUSH, h, 64);
            w.varLong(m.stream()).varLong(m.seq()).varInt(m.partition()).bool(m.last()).varInt(m.entries().size());
            for (WireEntry e : m.entries()) {
                entry(w, e);
            }
        } else if (body instanceof PushAck m) {
            w = header(PUSH_ACK, h, 16);
            w.varLong(m.stream()).varLong(m.seq()).bool(m.owner());
        } else {
            throw new IllegalArgumentException("unknown body " + body);
        }
        return w.toByteArray();
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes one message.
     *
     * @throws MalformedMessageException whatever is wrong with {@code bytes}, and nothing else
     */
    static Envelope decode(byte[] bytes, Limits limits) {
        MessageReader r = new MessageReader(bytes);
        int format = r.u8("format");
        if (format != FORMAT) {
            throw new MalformedMessageException("store message format " + format + " is not supported (expected "
                    + FORMAT + ")");
        }
        int type = r.u8("type");
        String from;
        try {
            from = r.string("sender", 64);
            new dev.tandem.cluster.NodeId(from, 0);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("sender name is invalid: " + e.getMessage());
        }
        long fromInc = nonNegative(r.varLong("sender incarnation"), "sender incarnation");
        long toInc = nonNegative(r.varLong("receiver incarnation"), "receiver incarnation");
        long hlc = r.i64("hlc");
        long wall = r.i64("wall millis");
        Header h = new Header(from, fromInc, toInc, hlc, wall);
        Body body = switch (type) {
            case WRITE -> {
                int n = r.varInt("write count", Math.min(MAX_ITEMS, r.remaining()));
                long[] ids = new long[n];
                List<WireEntry> es = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ids[i] = r.varLong("request id");
                    es.add(entry(r, limits, "write entry ", i));
                }
                yield new Write(ids, es);
            }
            case WRITE_ACK -> {
                int n = r.varInt("ack count", Math.min(MAX_ITEMS, r.remaining()));
                List<Ack> acks = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    long id = r.varLong("request id");
                    long ackHlc = r.i64("acked hlc");
                    int status = r.u8("ack status");
                    if (status > ACK_CLOCK_AHEAD) {
                        throw new MalformedMessageException("ack status " + status + " is unknown");
                    }
                    long hh = 0;
                    long ht = 0;
                    if (status == ACK_SUPERSEDED) {
                        hh = r.i64("held hlc");
                        ht = r.i64("held tag");
                    }
                    acks.add(new Ack(id, ackHlc, status, hh, ht));
                }
                yield new WriteAck(acks);
            }
            case READ -> {
                int n = r.varInt("read count", Math.min(MAX_ITEMS, r.remaining()));
                long[] ids = new long[n];
                List<byte[]> keys = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ids[i] = r.varLong("request id");
                    keys.add(r.bytes("key", limits.maxKeyBytes()));
                }
                yield new Read(ids, keys);
            }
            case READ_REPLY -> {
                int n = r.varInt("answer count", Math.min(MAX_ITEMS, r.remaining()));
                List<ReadAnswer> as = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    long id = r.varLong("request id");
                    as.add(new ReadAnswer(id, r.bool("found") ? entry(r, limits, "answer ", i) : null));
                }
                yield new ReadReply(as);
            }
            case DIGEST -> {
                long session = r.varLong("session");
                int flags = r.u8("flags");
                if ((flags & ~DIGEST_BIDIRECTIONAL) != 0) {
                    throw new MalformedMessageException("digest flags " + flags + " has unknown bits");
                }
                long purge = r.i64("purge before");
                int n = r.varInt("digest count", Math.min(limits.partitions(), r.remaining()));
                List<PartitionDigest> ds = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ds.add(new PartitionDigest(r.varInt("partition", limits.partitions() - 1), r.i64("digest"),
                            r.varInt("count", Integer.MAX_VALUE)));
                }
                yield new Digest(session, flags, purge, ds);
            }
            case DIGEST_REPLY -> {
                long session = r.varLong("session");
                int n = r.varInt("reply count", Math.min(limits.partitions(), r.remaining()));
                int[] ps = new int[n];
                int[] status = new int[n];
                for (int i = 0; i < n; i++) {
                    ps[i] = r.varInt("partition", limits.partitions() - 1);
                    status[i] = r.u8("status");
                    if (status[i] > DIGEST_NOT_OWNER) {
                        throw new MalformedMessageException("digest status " + status[i] + " is unknown");
                    }
                }
                yield new DigestReply(session, ps, status);
            }
            case PUSH -> {
                long stream = r.varLong("stream");
                long seq = r.varLong("seq");
                int p = r.varInt("partition", limits.partitions() - 1);
                boolean last = r.bool("last");
                int n = r.varInt("entry count", Math.min(MAX_ITEMS, r.remaining()));
                List<WireEntry> es = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    es.add(entry(r, limits, "push entry ", i));
                }
                yield new Push(stream, seq, p, last, es);
            }
            case PUSH_ACK -> new PushAck(r.varLong("stream"), r.varLong("seq"), r.bool("owner"));
            default -> throw new MalformedMessageException("store message type " + type + " is unknown");
        };
        r.expectEnd("store message type " + type);
        return new Envelope(h, body);
    }

    private static long nonNegative(long v, String field) {
        if (v < 0) {
            throw new MalformedMessageException(field + " is negative");
        }
        return v;
    }

    /**
     * Entry {@code index} of a list; the field name ({@code kind + index}) is built only for an
     * error message — building it for every entry cost two strings per entry on the hot paths.
     */
    private static WireEntry entry(MessageReader r, Limits limits, String kind, int index) {
        byte[] rec;
        try {
            rec = r.bytes("record", limits.maxRecordBytes());
            Records.validate(rec, limits.maxKeyBytes(), limits.maxValueBytes(), "");
        } catch (MalformedMessageException e) {
            String m = e.getMessage();
            throw new MalformedMessageException(kind + index + (m.startsWith(":") ? m : " " + m));
        }
        return new WireEntry(Records.hlc(rec), Records.tag(rec), rec);
    }
}
