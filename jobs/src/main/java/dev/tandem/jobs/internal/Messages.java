package dev.tandem.jobs.internal;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageReader;
import dev.tandem.cluster.codec.MessageWriter;
import java.util.Objects;

/**
 * The jobs wire format (channel {@code Channels.JOBS}). Every message: {@code u8 version (3), u8
 * type, sender name, varint sender incarnation, varint receiver incarnation, varint sender load,
 * varint sender lineage clock}, then the body. The receiver's incarnation lets a node drop what was
 * meant for an earlier life of its name (request ids start again at 1 in every life, so a late reply
 * to the old life would otherwise be taken for the answer to a new request). The lineage clock (a
 * hybrid logical clock, at most {@link #MAX_LINEAGE}) is what a home stamps a worker start with; the
 * receiver advances its own past it, so a start is stamped after everything its home heard of.
 * Version 3 added it and the lineage fields below. Bodies:
 * <pre>
 * CALL        varint reqId, varint attempt, string name, bytes input
 * CALL_REPLY  varint reqId, varint attempt, u8 outcome (OK, FAILED, UNKNOWN_JOB, BUSY, ACCEPTED), bytes payload
 * CANCEL      varint reqId, varint attempt
 * RECORD      record (a holder's copy: a cast, a reassignment, a result, or an anti-entropy push)
 * RECORD_ACK  string jobId, varint lineage, varint attempt, varint epoch, u8 state, node executor, node backup
 *             (the newest record of the job the sender knows, whether or not it holds it)
 * STATUS_REQ  varint reqId, string jobId
 * STATUS_REPLY varint reqId, bool found, [record]
 * LOAD        (header only)
 * WORKER_START       varint reqId, string name, string type, bytes arg, varint lineage (stamped by the
 *                    starter; 0: the home stamps it)  (to the name's home)
 * WORKER_START_REPLY varint reqId, u8 outcome (STARTED, EXISTS, BUSY, NO_NODES), bool found, [record], string message
 * WORKER_MSG         varint reqId, string name, varint lineage, varint incarnation, varint epoch (the
 *                    instance the sender addresses), bool ask, bytes payload
 * WORKER_REPLY       varint reqId, u8 outcome (ACCEPTED, OK, FAILED, NOT_HERE, STALE, MAILBOX_FULL),
 *                    varint lineage, varint incarnation, varint epoch (of the answering instance; 0 if
 *                    none), bytes payload
 * WORKER_STOP        varint reqId, string name
 * WORKER_STOP_REPLY  varint reqId, u8 outcome (STOPPED, NOT_HERE)
 * WORKER_LIST_REQ    varint reqId
 * WORKER_LIST_REPLY  varint reqId, varint count (at most 512), record * count
 * record:     string jobId, string name, bytes input, varint lineage, varint attempt, varint epoch, node executor,
 *             node backup, u8 state, node ranOn, bytes result;  node: string name, varint incarnation
 * </pre>
 * Decoding treats input as hostile: every length is bounded before allocation and trailing bytes
 * are rejected.
 */
final class Messages {
    static final int VERSION = 3;
    /** The greatest lineage (and lineage clock) accepted: far above any clock reading, far below overflow. */
    static final long MAX_LINEAGE = (1L << 62) - 1;
    static final int CALL = 1;
    static final int CALL_REPLY = 2;
    static final int CANCEL = 3;
    static final int RECORD = 4;
    static final int RECORD_ACK = 5;
    static final int STATUS_REQ = 6;
    static final int STATUS_REPLY = 7;
    static final int LOAD = 8;
    static final int WORKER_START = 9;
    static final int WORKER_START_REPLY = 10;
    static final int WORKER_MSG = 11;
    static final int WORKER_REPLY = 12;
    static final int WORKER_STOP = 13;
    static final int WORKER_STOP_REPLY = 14;
    static final int WORKER_LIST_REQ = 15;
    static final int WORKER_LIST_REPLY = 16;

    // WORKER_START_REPLY outcomes
    static final int W_STARTED = 0;
    static final int W_EXISTS = 1;
    static final int W_BUSY = 2;
    static final int W_NO_NODES = 3;
    // WORKER_REPLY outcomes
    static final int W_ACCEPTED = 0;
    static final int W_OK = 1;
    static final int W_FAILED = 2;
    static final int W_NOT_HERE = 3;
    static final int W_STALE = 4;
    static final int W_MAILBOX_FULL = 5;
    // WORKER_STOP_REPLY outcomes
    static final int W_STOPPED = 0;
    static final int W_STOP_NOT_HERE = 1;

    static final int MAX_MESSAGE = 1000;
    static final int MAX_LISTED = 512;

    static final int OK = 0;
    static final int FAILED = 1;
    static final int UNKNOWN_JOB = 2;
    static final int BUSY = 3;
    static final int ACCEPTED = 4;

    static final int MAX_NAME = 200;
    static final int MAX_JOB_ID = 260;

    private Messages() {
    }

    sealed interface Body permits Call, CallReply, Cancel, RecordMsg, RecordAck, StatusReq, StatusReply, Load, WorkerStart,
            WorkerStartReply, WorkerMsg, WorkerReply, WorkerStop, WorkerStopReply, WorkerListReq, WorkerListReply {
        int type();
    }

    record Call(long reqId, int attempt, String name, byte[] input) implements Body {
        public int type() {
            return CALL;
        }
    }

    record CallReply(long reqId, int attempt, int outcome, byte[] payload) implements Body {
        public int type() {
            return CALL_REPLY;
        }
    }

    record Cancel(long reqId, int attempt) implements Body {
        public int type() {
            return CANCEL;
        }
    }

    record RecordMsg(Record record) implements Body {
        public int type() {
            return RECORD;
        }
    }

    record RecordAck(String jobId, long lineage, int attempt, long epoch, int state, NodeId executor, NodeId backup) implements Body {
        public int type() {
            return RECORD_ACK;
        }
    }

    record StatusReq(long reqId, String jobId) implements Body {
        public int type() {
            return STATUS_REQ;
        }
    }

    record StatusReply(long reqId, Record record) implements Body { // record may be null: not found
        public int type() {
            return STATUS_REPLY;
        }
    }

    record Load() implements Body {
        public int type() {
            return LOAD;
        }
    }

    record WorkerStart(long reqId, String name, String workerType, byte[] arg, long lineage) implements Body {
        public int type() {
            return WORKER_START;
        }
    }

    record WorkerStartReply(long reqId, int outcome, Record record, String message) implements Body { // record may be null
        public int type() {
            return WORKER_START_REPLY;
        }
    }

    record WorkerMsg(long reqId, String name, long lineage, int incarnation, long epoch, boolean ask, byte[] payload) implements Body {
        public int type() {
            return WORKER_MSG;
        }
    }

    record WorkerReply(long reqId, int outcome, long lineage, int incarnation, long epoch, byte[] payload) implements Body {
        public int type() {
            return WORKER_REPLY;
        }
    }

    record WorkerStop(long reqId, String name) implements Body {
        public int type() {
            return WORKER_STOP;
        }
    }

    record WorkerStopReply(long reqId, int outcome) implements Body {
        public int type() {
            return WORKER_STOP_REPLY;
        }
    }

    record WorkerListReq(long reqId) implements Body {
        public int type() {
            return WORKER_LIST_REQ;
        }
    }

    record WorkerListReply(long reqId, java.util.List<Record> records) implements Body {
        public int type() {
            return WORKER_LIST_REPLY;
        }
    }

    /**
     * A decoded message: who sent it, which life of the receiver's name it is for, the sender's load and
     * lineage clock.
     */
    record Envelope(NodeId sender, long toIncarnation, int load, long clock, Body body) {
        Envelope {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(body, "body");
        }
    }

    static byte[] encode(NodeId sender, long toIncarnation, int load, long clock, Body body) {
        MessageWriter w = new MessageWriter(64);
        w.u8(VERSION).u8(body.type());
        node(w, sender);
        w.varLong(toIncarnation);
        w.varInt(Math.max(0, load));
        w.varLong(Math.max(0, Math.min(clock, MAX_LINEAGE)));
        if (body instanceof Call c) {
            w.varLong(c.reqId()).varInt(c.attempt()).string(c.name()).bytes(c.input());
        } else if (body instanceof CallReply r) {
            w.varLong(r.reqId()).varInt(r.attempt()).u8(r.outcome()).bytes(r.payload());
        } else if (body instanceof Cancel c) {
            w.varLong(c.reqId()).varInt(c.attempt());
        } else if (body instanceof RecordMsg m) {
            record(w, m.record());
        } else if (body instanceof RecordAck a) {
            w.string(a.jobId()).varLong(a.lineage()).varInt(a.attempt()).varLong(a.epoch()).u8(a.state());
            node(w, a.executor());
            node(w, a.backup());
        } else if (body instanceof StatusReq q) {
            w.varLong(q.reqId()).string(q.jobId());
        } else if (body instanceof StatusReply q) {
            w.varLong(q.reqId()).bool(q.record() != null);
            if (q.record() != null) {
                record(w, q.record());
            }
        } else if (body instanceof WorkerStart q) {
            w.varLong(q.reqId()).string(q.name()).string(q.workerType()).bytes(q.arg()).varLong(q.lineage());
        } else if (body instanceof WorkerStartReply q) {
            w.varLong(q.reqId()).u8(q.outcome()).bool(q.record() != null);
            if (q.record() != null) {
                record(w, q.record());
            }
            w.string(q.message());
        } else if (body instanceof WorkerMsg q) {
            w.varLong(q.reqId()).string(q.name()).varLong(q.lineage()).varInt(q.incarnation()).varLong(q.epoch()).bool(q.ask()).bytes(q.payload());
        } else if (body instanceof WorkerReply q) {
            w.varLong(q.reqId()).u8(q.outcome()).varLong(q.lineage()).varInt(q.incarnation()).varLong(q.epoch()).bytes(q.payload());
        } else if (body instanceof WorkerStop q) {
            w.varLong(q.reqId()).string(q.name());
        } else if (body instanceof WorkerStopReply q) {
            w.varLong(q.reqId()).u8(q.outcome());
        } else if (body instanceof WorkerListReq q) {
            w.varLong(q.reqId());
        } else if (body instanceof WorkerListReply q) {
            w.varLong(q.reqId()).varInt(q.records().size());
            for (Record rec : q.records()) {
                record(w, rec);
            }
        }
        return w.toByteArray();
    }

    /** @throws MalformedMessageException for anything that is not a valid message */
    static Envelope decode(byte[] bytes, int maxPayloadBytes) {
        MessageReader r = new MessageReader(bytes);
        int version = r.u8("version");
        if (version != VERSION) {
            throw new MalformedMessageException("unknown jobs message version " + version);
        }
        int type = r.u8("type");
        NodeId sender = node(r, "sender");
        long toIncarnation = r.varLong("receiver incarnation");
        if (toIncarnation < 0) {
            throw new MalformedMessageException("receiver incarnation " + Long.toUnsignedString(toIncarnation)
                    + " is negative");
        }
        int load = r.varInt("load", Integer.MAX_VALUE);
        long clock = lineage(r, "lineage clock");
        Body body = switch (type) {
            case CALL -> new Call(r.varLong("reqId"), attempt(r), name(r, "name"), r.bytes("input", maxPayloadBytes));
            case CALL_REPLY -> {
                long reqId = r.varLong("reqId");
                int attempt = attempt(r);
                int outcome = r.u8("outcome");
                if (outcome > ACCEPTED) {
                    throw new MalformedMessageException("unknown call outcome " + outcome);
                }
                yield new CallReply(reqId, attempt, outcome, r.bytes("payload", maxPayloadBytes));
            }
            case CANCEL -> new Cancel(r.varLong("reqId"), attempt(r));
            case RECORD -> new RecordMsg(record(r, maxPayloadBytes));
            case RECORD_ACK -> new RecordAck(jobId(r), lineage(r, "lineage"), attempt(r), epoch(r), state(r), node(r, "executor"),
                    node(r, "backup"));
            case STATUS_REQ -> new StatusReq(r.varLong("reqId"), jobId(r));
            case STATUS_REPLY -> {
                long reqId = r.varLong("reqId");
                yield new StatusReply(reqId, r.bool("found") ? record(r, maxPayloadBytes) : null);
            }
            case LOAD -> new Load();
            case WORKER_START -> new WorkerStart(r.varLong("reqId"), name(r, "name"), name(r, "type"),
                    r.bytes("arg", maxPayloadBytes), lineage(r, "lineage"));
            case WORKER_START_REPLY -> {
                long reqId = r.varLong("reqId");
                int outcome = r.u8("outcome");
                if (outcome > W_NO_NODES) {
                    throw new MalformedMessageException("unknown worker start outcome " + outcome);
                }
                Record rec = r.bool("found") ? record(r, maxPayloadBytes) : null;
                yield new WorkerStartReply(reqId, outcome, rec, r.string("message", MAX_MESSAGE));
            }
            case WORKER_MSG -> new WorkerMsg(r.varLong("reqId"), name(r, "name"), lineage(r, "lineage"), attempt(r), epoch(r), r.bool("ask"),
                    r.bytes("payload", maxPayloadBytes));
            case WORKER_REPLY -> {
                long reqId = r.varLong("reqId");
                int outcome = r.u8("outcome");
                if (outcome > W_MAILBOX_FULL) {
                    throw new MalformedMessageException("unknown worker reply outcome " + outcome);
                }
                yield new WorkerReply(reqId, outcome, lineage(r, "lineage"), r.varInt("incarnation", 1_000_000), r.varLong("epoch"),
                        r.bytes("payload", maxPayloadBytes));
            }
            case WORKER_STOP -> new WorkerStop(r.varLong("reqId"), name(r, "name"));
            case WORKER_STOP_REPLY -> {
                long reqId = r.varLong("reqId");
                int outcome = r.u8("outcome");
                if (outcome > W_STOP_NOT_HERE) {
                    throw new MalformedMessageException("unknown worker stop outcome " + outcome);
                }
                yield new WorkerStopReply(reqId, outcome);
            }
            case WORKER_LIST_REQ -> new WorkerListReq(r.varLong("reqId"));
            case WORKER_LIST_REPLY -> {
                long reqId = r.varLong("reqId");
                int n = r.varInt("count", MAX_LISTED);
                java.util.List<Record> recs = new java.util.ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    recs.add(record(r, maxPayloadBytes));
                }
                yield new WorkerListReply(reqId, java.util.List.copyOf(recs));
            }
            default -> throw new MalformedMessageException("unknown jobs message type " + type);
        };
        r.expectEnd("jobs message type " + type);
        return new Envelope(sender, toIncarnation, load, clock, body);
    }

    private static void record(MessageWriter w, Record rec) {
        w.string(rec.jobId()).string(rec.name()).bytes(rec.input()).varLong(rec.lineage()).varInt(rec.attempt()).varLong(rec.epoch());
        node(w, rec.executor());
        node(w, rec.backup());
        w.u8(rec.state());
        node(w, rec.ranOn());
        w.bytes(rec.result());
    }

    private static Record record(MessageReader r, int maxPayloadBytes) {
        String jobId = jobId(r);
        String name = name(r, "name");
        byte[] input = r.bytes("input", maxPayloadBytes);
        long lineage = lineage(r, "lineage");
        int attempt = attempt(r);
        long epoch = epoch(r);
        NodeId executor = node(r, "executor");
        NodeId backup = node(r, "backup");
        int state = state(r);
        NodeId ranOn = node(r, "ranOn");
        byte[] result = r.bytes("result", maxPayloadBytes);
        return new Record(jobId, name, input, lineage, attempt, epoch, executor, backup, state, ranOn, result);
    }

    private static int attempt(MessageReader r) {
        int a = r.varInt("attempt", 1_000_000);
        if (a < 1) {
            throw new MalformedMessageException("attempt must be >= 1");
        }
        return a;
    }

    private static long lineage(MessageReader r, String field) {
        long v = r.varLong(field);
        if (v < 0 || v > MAX_LINEAGE) {
            throw new MalformedMessageException(field + " " + Long.toUnsignedString(v) + " is out of range");
        }
        return v;
    }

    private static long epoch(MessageReader r) {
        long e = r.varLong("epoch");
        if (e < 1) {
            throw new MalformedMessageException("epoch must be >= 1, was " + Long.toUnsignedString(e));
        }
        return e;
    }

    private static int state(MessageReader r) {
        int s = r.u8("state");
        if (s > Record.FAILED) {
            throw new MalformedMessageException("unknown record state " + s);
        }
        return s;
    }

    private static String jobId(MessageReader r) {
        String s = r.string("jobId", MAX_JOB_ID);
        if (s.isEmpty()) {
            throw new MalformedMessageException("empty jobId");
        }
        return s;
    }

    private static String name(MessageReader r, String field) {
        String s = r.string(field, MAX_NAME);
        if (s.isEmpty()) {
            throw new MalformedMessageException("empty " + field);
        }
        return s;
    }

    private static void node(MessageWriter w, NodeId id) {
        w.string(id.name()).varLong(id.incarnation());
    }

    private static NodeId node(MessageReader r, String field) {
        String name = r.string(field + " name", 64);
        long inc = r.varLong(field + " incarnation");
        try {
            return new NodeId(name, inc);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(field + ": " + e.getMessage());
        }
    }
}
