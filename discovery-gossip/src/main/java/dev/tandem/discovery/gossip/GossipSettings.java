package dev.tandem.discovery.gossip;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.spi.StrategyOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Validated settings of one gossip or static discovery instance: how the node finds its first
 * peers, and the timing of the SWIM membership protocol that runs afterwards.
 *
 * <p>As strategy options (kebab-case keys, raw numbers with their unit last), with defaults:
 * <table>
 * <caption>Settings</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code cluster}</td><td>{@code tandem}</td><td>cluster name; nodes of other clusters
 *     are ignored</td></tr>
 * <tr><td>{@code secret}</td><td>(required for {@code gossip}; {@code static} has no such
 *     setting)</td><td>the cluster secret (16-1024 characters) that authenticates beacons</td></tr>
 * <tr><td>{@code seeds}</td><td>none ({@code static} needs at least one)</td><td>comma-separated
 *     {@code HOST:PORT} transport addresses to join through</td></tr>
 * <tr><td>{@code metadata}</td><td>none</td><td>{@code key=value,...} tags this node advertises
 *     (at most 16; keys as node names, values up to 256 bytes)</td></tr>
 * <tr><td>{@code protocol-period-millis}</td><td>1000</td><td>one probe per period</td></tr>
 * <tr><td>{@code probe-timeout-millis}</td><td>500</td><td>wait for a direct ack before asking
 *     others to probe; must be shorter than the period</td></tr>
 * <tr><td>{@code indirect-probes}</td><td>3</td><td>members asked to probe (k)</td></tr>
 * <tr><td>{@code suspicion-multiplier}</td><td>4</td><td>shortest suspicion =
 *     multiplier &times; max(1, log10 n) periods</td></tr>
 * <tr><td>{@code suspicion-max-multiplier}</td><td>6</td><td>longest suspicion (no confirmations)
 *     = this &times; the shortest</td></tr>
 * <tr><td>{@code retransmit-multiplier}</td><td>4</td><td>each update is piggy-backed
 *     multiplier &times; ceil(log10(n+1)) times (the &lambda; of SWIM)</td></tr>
 * <tr><td>{@code push-pull-interval-millis}</td><td>30000</td><td>full-state sync with one
 *     random member (and one reconnect attempt towards a dead member or seed)</td></tr>
 * <tr><td>{@code dead-member-reap-millis}</td><td>60000</td><td>how long DEAD/LEFT members stay
 *     as tombstones before removal</td></tr>
 * <tr><td>{@code health-max}</td><td>8</td><td>the local health multiplier's ceiling: a node
 *     unsure of itself waits up to this factor longer for each probe's acks (its probes then
 *     overlap: the period itself is not stretched)</td></tr>
 * <tr><td>{@code beacon-interval-millis}</td><td>5000</td><td>({@code gossip} only) how often to
 *     announce this node</td></tr>
 * <tr><td>{@code beacon-max-skew-millis}</td><td>120000</td><td>({@code gossip} only) beacons
 *     stamped further than this from the receiver's wall clock are refused as stale or replayed;
 *     generous so modest clock skew between hosts does not stop discovery</td></tr>
 * <tr><td>{@code sabotage}</td><td>{@code none}</td><td><b>for simulator self-tests only</b>:
 *     {@code ignore-refutation} or {@code never-suspect} breaks one protocol rule on purpose, so
 *     a test can show that its checker catches the breakage. Never set it in production.</td></tr>
 * </table>
 *
 * @param cluster                cluster name, as a node name ({@code [A-Za-z0-9._-]{1,64}})
 * @param secret                 cluster secret for beacons; empty when {@code beacons} is false
 * @param beacons                whether to announce and listen on the beacon channel
 * @param seeds                  addresses to join through (may include this node's own)
 * @param metadata               tags advertised in this node's {@link dev.tandem.cluster.Member}
 * @param protocolPeriod         time between two probes of a healthy node
 * @param probeTimeout           wait for a direct ack
 * @param indirectProbes         k: members asked to ping-req an unresponsive target
 * @param suspicionMultiplier    see the table above
 * @param suspicionMaxMultiplier see the table above
 * @param retransmitMultiplier   see the table above
 * @param pushPullInterval       time between full-state syncs
 * @param deadMemberReap         how long tombstones stay
 * @param healthMax              ceiling of the local health multiplier (1 disables it)
 * @param beaconInterval         time between beacons
 * @param beaconMaxSkew          accepted distance of a beacon's timestamp from the local wall clock
 * @param sabotage               a deliberately broken rule, for simulator self-tests only
 */
public record GossipSettings(String cluster, String secret, boolean beacons, List<NodeAddress> seeds,
                             Map<String, String> metadata, Duration protocolPeriod, Duration probeTimeout,
                             int indirectProbes, int suspicionMultiplier, int suspicionMaxMultiplier,
                             int retransmitMultiplier, Duration pushPullInterval, Duration deadMemberReap,
                             int healthMax, Duration beaconInterval, Duration beaconMaxSkew, Sabotage sabotage) {

    /** Limits that keep every message and every table bounded. */
    static final int MAX_SEEDS = 64;
    static final int MAX_METADATA_ENTRIES = 16;
    static final int MAX_METADATA_VALUE_BYTES = 256;
    static final int MIN_SECRET_CHARS = 16;
    static final int MAX_SECRET_CHARS = 1024;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    static final Set<String> COMMON_KEYS = Set.of("cluster", "seeds", "metadata", "protocol-period-millis",
            "probe-timeout-millis", "indirect-probes", "suspicion-multiplier", "suspicion-max-multiplier",
            "retransmit-multiplier", "push-pull-interval-millis", "dead-member-reap-millis", "health-max", "sabotage");
    static final Set<String> BEACON_KEYS = Set.of("secret", "beacon-interval-millis", "beacon-max-skew-millis");

    /**
     * A rule broken on purpose so a simulator checker can be shown to catch it. <b>Test-only</b>:
     * a cluster running with anything but {@link #NONE} is wrong by construction.
     */
    public enum Sabotage {
        /** The protocol as specified. */
        NONE("none"),
        /** The node never refutes suspicions about itself: healthy nodes get declared dead. */
        IGNORE_REFUTATION("ignore-refutation"),
        /** The node never suspects a member after a failed probe: crashes go undetected. */
        NEVER_SUSPECT("never-suspect");

        private final String optionValue;

        Sabotage(String optionValue) {
            this.optionValue = optionValue;
        }

        /** The value of the {@code sabotage} setting that selects this. */
        public String optionValue() {
            return optionValue;
        }

        static Sabotage parse(String raw) {
            for (Sabotage s : values()) {
                if (s.optionValue.equals(raw.strip())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("setting sabotage=" + raw
                    + " is invalid: expected none, ignore-refutation or never-suspect (simulator self-tests only)");
        }
    }

    public GossipSettings {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(sabotage, "sabotage");
        if (!NAME.matcher(cluster).matches()) {
            throw new IllegalArgumentException("setting cluster=" + cluster
                    + " is invalid: use 1-64 characters from A-Z a-z 0-9 . _ -");
        }
        if (beacons && (secret.length() < MIN_SECRET_CHARS || secret.length() > MAX_SECRET_CHARS)) {
            throw new IllegalArgumentException("setting secret is " + (secret.isEmpty() ? "missing" : secret.length()
                    + " characters long") + ": beacons are authenticated with the cluster secret, which must be "
                    + MIN_SECRET_CHARS + "-" + MAX_SECRET_CHARS + " characters and the same on every node"
                    + " (or use discovery 'static' with seeds=HOST:PORT,...)");
        }
        if (!beacons && !secret.isEmpty()) {
            throw new IllegalArgumentException("a secret was given but beacons are off: the secret authenticates beacons only");
        }
        seeds = List.copyOf(Objects.requireNonNull(seeds, "seeds"));
        if (seeds.size() > MAX_SEEDS) {
            throw new IllegalArgumentException("setting seeds lists " + seeds.size() + " addresses; at most " + MAX_SEEDS
                    + " are allowed (a few per zone is plenty: any one live seed is enough to join)");
        }
        if (!beacons && seeds.isEmpty()) {
            throw new IllegalArgumentException("setting seeds is missing: without beacons a node can only join through"
                    + " seeds=HOST:PORT[,HOST:PORT...] (list the same addresses on every node)");
        }
        metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
        checkMetadata(metadata);
        positive("protocol-period-millis", protocolPeriod);
        positive("probe-timeout-millis", probeTimeout);
        positive("push-pull-interval-millis", pushPullInterval);
        positive("dead-member-reap-millis", deadMemberReap);
        positive("beacon-interval-millis", beaconInterval);
        positive("beacon-max-skew-millis", beaconMaxSkew);
        if (probeTimeout.compareTo(protocolPeriod) >= 0) {
            throw new IllegalArgumentException("setting probe-timeout-millis=" + probeTimeout.toMillis()
                    + " must be shorter than protocol-period-millis=" + protocolPeriod.toMillis()
                    + ", so the indirect probes fit in the same period");
        }
        range("indirect-probes", indirectProbes, 0, 16);
        range("suspicion-multiplier", suspicionMultiplier, 1, 64);
        range("suspicion-max-multiplier", suspicionMaxMultiplier, 1, 64);
        range("retransmit-multiplier", retransmitMultiplier, 1, 64);
        range("health-max", healthMax, 1, 64);
    }

    /**
     * Production defaults for a static seed list (beacons off).
     *
     * @throws IllegalArgumentException if {@code seeds} is empty
     */
    public static GossipSettings staticSeeds(List<NodeAddress> seeds) {
        return new GossipSettings("tandem", "", false, seeds, Map.of(), Duration.ofSeconds(1), Duration.ofMillis(500),
                3, 4, 6, 4, Duration.ofSeconds(30), Duration.ofSeconds(60), 8, Duration.ofSeconds(5),
                Duration.ofMinutes(2), Sabotage.NONE);
    }

    /**
     * Production defaults for multicast beacons authenticated with {@code secret}.
     *
     * @throws IllegalArgumentException if the secret is not 16-1024 characters
     */
    public static GossipSettings beacons(String secret) {
        return new GossipSettings("tandem", secret, true, List.of(), Map.of(), Duration.ofSeconds(1),
                Duration.ofMillis(500), 3, 4, 6, 4, Duration.ofSeconds(30), Duration.ofSeconds(60), 8,
                Duration.ofSeconds(5), Duration.ofMinutes(2), Sabotage.NONE);
    }

    public GossipSettings withCluster(String newCluster) {
        return new GossipSettings(newCluster, secret, beacons, seeds, metadata, protocolPeriod, probeTimeout,
                indirectProbes, suspicionMultiplier, suspicionMaxMultiplier, retransmitMultiplier, pushPullInterval,
                deadMemberReap, healthMax, beaconInterval, beaconMaxSkew, sabotage);
    }

    public GossipSettings withSeeds(List<NodeAddress> newSeeds) {
        return new GossipSettings(cluster, secret, beacons, newSeeds, metadata, protocolPeriod, probeTimeout,
                indirectProbes, suspicionMultiplier, suspicionMaxMultiplier, retransmitMultiplier, pushPullInterval,
                deadMemberReap, healthMax, beaconInterval, beaconMaxSkew, sabotage);
    }

    public GossipSettings withMetadata(Map<String, String> newMetadata) {
        return new GossipSettings(cluster, secret, beacons, seeds, newMetadata, protocolPeriod, probeTimeout,
                indirectProbes, suspicionMultiplier, suspicionMaxMultiplier, retransmitMultiplier, pushPullInterval,
                deadMemberReap, healthMax, beaconInterval, beaconMaxSkew, sabotage);
    }

    /** The same settings with a deliberately broken rule; for simulator self-tests only. */
    public GossipSettings withSabotage(Sabotage newSabotage) {
        return new GossipSettings(cluster, secret, beacons, seeds, metadata, protocolPeriod, probeTimeout,
                indirectProbes, suspicionMultiplier, suspicionMaxMultiplier, retransmitMultiplier, pushPullInterval,
                deadMemberReap, healthMax, beaconInterval, beaconMaxSkew, newSabotage);
    }

    /**
     * Reads strategy options over the defaults of the {@code gossip} ({@code beacons} true) or
     * {@code static} strategy.
     *
     * @throws IllegalArgumentException naming the first wrong setting and what is allowed
     */
    static GossipSettings fromOptions(String strategy, boolean beacons, StrategyOptions options) {
        Set<String> known = new TreeSet<>(COMMON_KEYS);
        if (beacons) {
            known.addAll(BEACON_KEYS);
        }
        options.requireOnly(strategy, known);
        int max = Integer.MAX_VALUE;
        return new GossipSettings(
                options.stringValue("cluster", "tandem").strip(),
                beacons ? options.stringValue("secret", "") : "",
                beacons,
                parseSeeds(options.stringValue("seeds", "")),
                parseMetadata(options.stringValue("metadata", "")),
                Duration.ofMillis(options.intValue("protocol-period-millis", 1000, 10, 600_000)),
                Duration.ofMillis(options.intValue("probe-timeout-millis", 500, 1, 600_000)),
                options.intValue("indirect-probes", 3, 0, 16),
                options.intValue("suspicion-multiplier", 4, 1, 64),
                options.intValue("suspicion-max-multiplier", 6, 1, 64),
                options.intValue("retransmit-multiplier", 4, 1, 64),
                Duration.ofMillis(options.intValue("push-pull-interval-millis", 30_000, 100, max)),
                Duration.ofMillis(options.intValue("dead-member-reap-millis", 60_000, 1, max)),
                options.intValue("health-max", 8, 1, 64),
                Duration.ofMillis(options.intValue("beacon-interval-millis", 5_000, 10, max)),
                Duration.ofMillis(options.intValue("beacon-max-skew-millis", 120_000, 1_000, max)),
                Sabotage.parse(options.stringValue("sabotage", "none")));
    }

    /** Like the record's, but never shows the secret (settings end up in logs). */
    @Override
    public String toString() {
        return "GossipSettings[cluster=" + cluster + ", secret=" + (secret.isEmpty() ? "none" : "(hidden)")
                + ", beacons=" + beacons + ", seeds=" + seeds + ", metadata=" + new TreeMap<>(metadata)
                + ", protocolPeriod=" + protocolPeriod + ", probeTimeout=" + probeTimeout
                + ", indirectProbes=" + indirectProbes + ", suspicionMultiplier=" + suspicionMultiplier
                + ", suspicionMaxMultiplier=" + suspicionMaxMultiplier + ", retransmitMultiplier=" + retransmitMultiplier
                + ", pushPullInterval=" + pushPullInterval + ", deadMemberReap=" + deadMemberReap
                + ", healthMax=" + healthMax + ", beaconInterval=" + beaconInterval + ", beaconMaxSkew=" + beaconMaxSkew
                + ", sabotage=" + sabotage + "]";
    }

    static List<NodeAddress> parseSeeds(String raw) {
        List<NodeAddress> out = new ArrayList<>();
        if (raw.isBlank()) {
            return out;
        }
        String[] parts = raw.split(",", -1);
        if (parts.length > MAX_SEEDS) {
            throw new IllegalArgumentException("setting seeds lists " + parts.length + " addresses; at most " + MAX_SEEDS
                    + " are allowed");
        }
        for (String part : parts) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("setting seeds=" + raw
                        + " has an empty entry: separate HOST:PORT addresses with single commas");
            }
            try {
                NodeAddress a = NodeAddress.parse(part);
                if (!out.contains(a)) {
                    out.add(a);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("setting seeds: " + e.getMessage(), e);
            }
        }
        return out;
    }

    static Map<String, String> parseMetadata(String raw) {
        Map<String, String> out = new TreeMap<>();
        if (raw.isBlank()) {
            return out;
        }
        for (String part : raw.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("setting metadata=" + raw + ": entry '" + part
                        + "' is not key=value (e.g. metadata=zone=eu-1,role=worker)");
            }
            String key = part.substring(0, eq).strip();
            if (out.put(key, part.substring(eq + 1).strip()) != null) {
                throw new IllegalArgumentException("setting metadata=" + raw + ": key '" + key + "' appears twice");
            }
        }
        return out;
    }

    private static void checkMetadata(Map<String, String> metadata) {
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            throw new IllegalArgumentException("setting metadata has " + metadata.size() + " entries; at most "
                    + MAX_METADATA_ENTRIES + " fit in a membership message");
        }
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
            if (!NAME.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("setting metadata: key '" + e.getKey()
                        + "' is invalid: use 1-64 characters from A-Z a-z 0-9 . _ -");
            }
            if (e.getValue().getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_VALUE_BYTES) {
                throw new IllegalArgumentException("setting metadata: the value of '" + e.getKey() + "' is longer than "
                        + MAX_METADATA_VALUE_BYTES + " bytes");
            }
        }
    }

    private static void positive(String key, Duration d) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("setting " + key + " must be positive, was " + d.toMillis() + " ms");
        }
    }

    private static void range(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("setting " + key + "=" + v + " is invalid: expected an integer from "
                    + min + " to " + max);
        }
    }
}
