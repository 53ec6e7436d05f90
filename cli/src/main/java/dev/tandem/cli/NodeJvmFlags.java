package dev.tandem.cli;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The JVM flags a Tandem node runs with when {@code tandem} starts it: the launcher script puts the
 * same flags in front of {@code TANDEM_JAVA_OPTS} (keep the two in step), and the benchmarks pass
 * them to the node JVMs they start, so a benchmark measures nodes as users run them.
 *
 * <p>Why: a store node holds every entry as its own small {@code byte[]} in long-lived tables, and
 * every write stores a fresh (young) record into an old table. With G1's defaults, concurrent
 * refinement threads then process a dirty card per write and took a quarter of a core per node at
 * 300k puts/s; {@code G1ConcRefinementThreads=0} leaves that work to the young pauses, where a card
 * written many times is scanned once ({@code tandem bench}, 1M keys, 256 in flight: 318k puts/s
 * with G1's defaults, 430-510k with this; young pauses stayed at 10-25 ms). Flags given later
 * (TANDEM_JAVA_OPTS, TANDEM_BENCH_NODE_OPTS) override these.
 */
final class NodeJvmFlags {
    static final List<String> DEFAULT = List.of("-XX:+UseG1GC", "-XX:G1ConcRefinementThreads=0");

    private static final Pattern SELECTS_COLLECTOR = Pattern.compile("-XX:\\+Use\\w*GC\\b");

    /**
     * The flags to put in front of {@code extra} (user-given JVM options, may be null): none if
     * {@code extra} selects a collector itself (a JVM given two refuses to start).
     */
    static List<String> before(String extra) {
        return extra != null && SELECTS_COLLECTOR.matcher(extra).find() ? List.of() : DEFAULT;
    }

    private NodeJvmFlags() {
    }
}
