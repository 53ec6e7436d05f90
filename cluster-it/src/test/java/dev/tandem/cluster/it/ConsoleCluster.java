package dev.tandem.cluster.it;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/** Nodes whose consoles a test types into ({@code tandem node --stdin --json}): containers or local processes. */
interface ConsoleCluster {

    /** Types {@code line} into the node's console; returns the JSON answer to it. */
    Map<String, Object> command(String node, String line, Duration timeout) throws InterruptedException;

    NodeLog log(String node);

    /** A failure message with every node's state and log tail. */
    String report(String what);

    /**
     * Asks {@code via} for cluster-wide info until exactly {@code nodes} answer, nothing is in
     * transit or below two copies, the copies held as owner add up to two per key, and
     * {@code counts} holds for the per-node counts; returns those counts (node → keys as owner).
     */
    default Map<String, Long> awaitInfo(String via, Set<String> nodes, long keys, Predicate<Map<String, Long>> counts,
                                        Duration timeout, String what) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = NodeLog.deadline(timeout);
        Map<String, Object> last = null;
        while (System.nanoTime() - deadline < 0) {
            last = command(via, "info", timeout);
            Map<String, Long> perNode = new TreeMap<>();
            for (Object o : JsonLine.list(last, "nodes")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> n = (Map<String, Object>) o;
                perNode.put((String) n.get("node"), JsonLine.num(n, "keysAsOwner"));
            }
            Map<String, Object> total = JsonLine.obj(last, "total");
            if (perNode.keySet().equals(nodes) && Boolean.TRUE.equals(last.get("settled"))
                    && JsonLine.num(total, "keysAsOwner") == 2 * keys && counts.test(perNode)) {
                System.out.printf("[cluster-it] %s after %d ms: keys as owner %s%n", what,
                        (System.nanoTime() - t0) / 1_000_000, perNode);
                return new LinkedHashMap<>(perNode);
            }
            // Ask again once the node prints anything else (a view change) or 100 ms passed.
            NodeLog log = log(via);
            log.awaitLine(log.size(), l -> !l.startsWith("{\"command\":\"info\""), System.nanoTime() + 100_000_000L);
        }
        throw new AssertionError(report("within " + timeout.toSeconds() + " s, not " + what + "; last info: " + last));
    }
}
