package dev.tandem.discovery.gossip;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.cluster.codec.MessageReader;
import dev.tandem.cluster.codec.MessageWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Wire format of {@link SwimMessage}s (a wire-format commitment: change only by bumping
 * {@link #VERSION}).
 *
 * <pre>
 * message  = version:u8(=1) type:u8 sender:nodeId body
 * nodeId   = name:string(&le;64) incarnation:varint
 * PING     = seq:varint target:nodeId gossip
 * ACK/NACK = seq:varint gossip
 * PING_REQ = seq:varint target:nodeId targetAddress:address gossip
 * GOSSIP   = gossip
 * PUSHPULL = response:bool cluster:string(&le;64) count:varint(&le;4096) member*
 * gossip   = count:varint(&le;64) (member accuser:string(&le;64, empty = none))*
 * member   = nodeId address status:u8(0 ALIVE,1 SUSPECT,2 LEFT,3 DEAD) version:varint
 *            metaCount:varint(&le;16) (key:string(&le;64) value:string(&le;256))*
 * address  = host:string(&le;253) port:varint(&le;65535)
 * </pre>
 * Decoding is strict: every constraint of the API types is checked, trailing bytes are an error,
 * and every failure is a {@link MalformedMessageException}. Stateless and thread-safe.
 */
final class SwimCodec {
    static final int VERSION = 1;
    static final int MAX_GOSSIP = 64;
    static final int MAX_STATE = 4096;

    static final int PING = 1;
    static final int ACK = 2;
    static final int PING_REQ = 3;
    static final int NACK = 4;
    static final int GOSSIP = 5;
    static final int PUSH_PULL = 6;

    /** Wire codes of {@link MemberStatus}, by code; independent of the enum's declaration order. */
    private static final MemberStatus[] STATUSES = {MemberStatus.ALIVE, MemberStatus.SUSPECT, MemberStatus.LEFT,
            MemberStatus.DEAD};
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private SwimCodec() {
    }

    static byte[] encode(SwimMessage message) {
        MessageWriter w = new MessageWriter(128);
        w.u8(VERSION);
        if (message instanceof SwimMessage.Ping p) {
            header(w, PING, p.sender()).varLong(p.seq());
            nodeId(w, p.target());
            gossip(w, p.gossip());
        } else if (message instanceof SwimMessage.Ack a) {
            header(w, ACK, a.sender()).varLong(a.seq());
            gossip(w, a.gossip());
        } else if (message instanceof SwimMessage.PingReq r) {
            header(w, PING_REQ, r.sender()).varLong(r.seq());
            nodeId(w, r.target());
            address(w, r.targetAddress());
            gossip(w, r.gossip());
        } else if (message instanceof SwimMessage.Nack n) {
            header(w, NACK, n.sender()).varLong(n.seq());
            gossip(w, n.gossip());
        } else if (message instanceof SwimMessage.Gossip g) {
            header(w, GOSSIP, g.sender());
            gossip(w, g.gossip());
        } else if (message instanceof SwimMessage.PushPull pp) {
            header(w, PUSH_PULL, pp.sender()).bool(pp.response()).string(pp.cluster());
            if (pp.state().size() > MAX_STATE) {
                throw new IllegalArgumentException("state of " + pp.state().size() + " members exceeds " + MAX_STATE);
            }
            w.varInt(pp.state().size());
            for (Member m : pp.state()) {
                member(w, m);
            }
        } else {
            throw new IllegalArgumentException("unknown message " + message);
        }
        return w.toByteArray();
    }

    /** @throws MalformedMessageException saying what was wrong and where */
    static SwimMessage decode(byte[] bytes) {
        MessageReader r = new MessageReader(bytes);
        int version = r.u8("version");
        if (version != VERSION) {
            throw new MalformedMessageException("membership message version " + version
                    + " is not supported (this node speaks " + VERSION + "); run one protocol version per cluster");
        }
        int type = r.u8("type");
        NodeId sender = readNodeId(r, "sender");
        SwimMessage m = switch (type) {
            case PING -> {
                long seq = r.varLong("seq");
                NodeId target = readNodeId(r, "target");
                yield new SwimMessage.Ping(sender, seq, target, readGossip(r));
            }
            case ACK -> new SwimMessage.Ack(sender, r.varLong("seq"), readGossip(r));
            case PING_REQ -> {
                long seq = r.varLong("seq");
                NodeId target = readNodeId(r, "target");
                NodeAddress address = readAddress(r, "target address");
                yield new SwimMessage.PingReq(sender, seq, target, address, readGossip(r));
            }
            case NACK -> new SwimMessage.Nack(sender, r.varLong("seq"), readGossip(r));
            case GOSSIP -> new SwimMessage.Gossip(sender, readGossip(r));
            case PUSH_PULL -> {
                boolean response = r.bool("response");
                String cluster = r.string("cluster", 64);
                int count = r.varInt("member count", MAX_STATE);
                List<Member> state = new ArrayList<>(Math.min(count, 64));
                for (int i = 0; i < count; i++) {
                    state.add(readMember(r));
                }
                yield new SwimMessage.PushPull(sender, response, cluster, state);
            }
            default -> throw new MalformedMessageException("membership message type " + type + " is unknown");
        };
        r.expectEnd("membership message type " + type);
        return m;
    }

    /** The encoded size of a claim inside a gossip list; used to fill messages up to a byte budget. */
    static int encodedSize(Claim claim) {
        MessageWriter w = new MessageWriter(64);
        claim(w, claim);
        return w.size();
    }

    private static MessageWriter header(MessageWriter w, int type, NodeId sender) {
        w.u8(type);
        nodeId(w, sender);
        return w;
    }

    private static void nodeId(MessageWriter w, NodeId id) {
        w.string(id.name()).varLong(id.incarnation());
    }

    private static void address(MessageWriter w, NodeAddress a) {
        w.string(a.host()).varInt(a.port());
    }

    static void member(MessageWriter w, Member m) {
        nodeId(w, m.id());
        address(w, m.address());
        w.u8(statusCode(m.status())).varLong(m.version());
        if (m.metadata().size() > GossipSettings.MAX_METADATA_ENTRIES) {
            throw new IllegalArgumentException("member " + m.id() + " has more than "
                    + GossipSettings.MAX_METADATA_ENTRIES + " metadata entries");
        }
        w.varInt(m.metadata().size());
        for (Map.Entry<String, String> e : new TreeMap<>(m.metadata()).entrySet()) {
            w.string(e.getKey()).string(e.getValue());
        }
    }

    private static int statusCode(MemberStatus status) {
        for (int i = 0; i < STATUSES.length; i++) {
            if (STATUSES[i] == status) {
                return i;
            }
        }
        throw new IllegalArgumentException("status " + status + " has no wire code");
    }

    private static void claim(MessageWriter w, Claim c) {
        member(w, c.member());
        w.string(c.accuser());
    }

    private static void gossip(MessageWriter w, List<Claim> gossip) {
        if (gossip.size() > MAX_GOSSIP) {
            throw new IllegalArgumentException(gossip.size() + " gossip entries exceed " + MAX_GOSSIP);
        }
        w.varInt(gossip.size());
        for (Claim c : gossip) {
            claim(w, c);
        }
    }

    private static NodeId readNodeId(MessageReader r, String field) {
        int at = r.position();
        String name = r.string(field + " name", 64);
        long incarnation = r.varLong(field + " incarnation");
        try {
            return new NodeId(name, incarnation);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(field + " at offset " + at + ": " + e.getMessage());
        }
    }

    private static NodeAddress readAddress(MessageReader r, String field) {
        int at = r.position();
        String host = r.string(field + " host", 253);
        int port = r.varInt(field + " port", 65_535);
        try {
            return new NodeAddress(host, port);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(field + " at offset " + at + ": " + e.getMessage());
        }
    }

    static Member readMember(MessageReader r) {
        int at = r.position();
        NodeId id = readNodeId(r, "member");
        NodeAddress address = readAddress(r, "member address");
        int status = r.u8("member status");
        if (status >= STATUSES.length) {
            throw new MalformedMessageException("member status " + status + " at offset " + (r.position() - 1)
                    + " is unknown");
        }
        long version = r.varLong("member version");
        int count = r.varInt("metadata count", GossipSettings.MAX_METADATA_ENTRIES);
        Map<String, String> metadata = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            int keyAt = r.position();
            String key = r.string("metadata key", 64);
            if (!METADATA_KEY.matcher(key).matches()) {
                throw new MalformedMessageException("metadata key at offset " + keyAt + " is not 1-64 characters of A-Z a-z 0-9 . _ -");
            }
            String value = r.string("metadata value", GossipSettings.MAX_METADATA_VALUE_BYTES);
            if (metadata.put(key, value) != null) {
                throw new MalformedMessageException("metadata key '" + key + "' repeated in member at offset " + at);
            }
        }
        try {
            return new Member(id, address, STATUSES[status], version, metadata);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("member at offset " + at + ": " + e.getMessage());
        }
    }

    private static List<Claim> readGossip(MessageReader r) {
        int count = r.varInt("gossip count", MAX_GOSSIP);
        List<Claim> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Member m = readMember(r);
            int at = r.position();
            String accuser = r.string("accuser", 64);
            if (!accuser.isEmpty()) {
                try {
                    new NodeId(accuser, 0);
                } catch (IllegalArgumentException e) {
                    throw new MalformedMessageException("accuser at offset " + at + ": " + e.getMessage());
                }
            }
            out.add(new Claim(m, accuser));
        }
        return out;
    }
}
