package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Named workers with real node JVMs in containers, driven through node a's console: {@code counter}
 * workers start, the container running one of them is killed (SIGKILL), and {@code whereis} must
 * then name a survivor with a higher incarnation, the worker answering there (from its start
 * argument again) and listed once by {@code workers}.
 */
class WorkersIT {
    private static final Duration CONVERGE = Duration.ofSeconds(45);
    private static final Duration ANSWER = Duration.ofSeconds(30);
    private static final int MAX_WORKERS = 8;
    private static final long POLL_NANOS = 250_000_000L;
    private static final Pattern STARTED = Pattern.compile(
            "(\\S+) started: counter on (\\w+), incarnation (\\d+), epoch (\\d+), RUNNING");

    private TandemCluster cluster;

    @BeforeAll
    static void image() throws Exception {
        DockerAvailability.require();
        NodeImage.shared();
    }

    @AfterAll
    static void removeImage() {
        NodeImage.removeShared();
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Where(String node, int incarnation, long epoch) {
    }

    @Test
    @DisplayName("a node running named workers is killed: whereis names a survivor with a higher incarnation, once")
    void killedNodesWorkers_runOnceOnASurvivorWithAHigherIncarnation() throws Exception {
        cluster = new TandemCluster(NodeImage.shared());
        cluster.start("a", "b", "c");
        cluster.awaitLive(List.of("a", "b", "c"), Set.of("a", "b", "c"), CONVERGE);

        try (NodeConsole a = new NodeConsole("a", cluster.node("a").id())) {
            assertThat(a.ask("workers", Pattern.compile("worker types on this node: .*"), ANSWER).group()).contains("counter");
            assertThat(a.ask("worker start gauge g", Pattern.compile("error: .*"), ANSWER).group())
                    .contains("no worker type 'gauge'");

            // Uniform scheduling: start names until one runs on b or c (all on a after k starts: p = 1/3^k).
            Map<String, Where> started = new LinkedHashMap<>();
            String victim = null;
            for (int i = 1; i <= MAX_WORKERS && victim == null; i++) {
                Matcher m = a.ask("worker start counter w" + i + " " + (100 * i), STARTED, ANSWER);
                started.put(m.group(1), new Where(m.group(2), Integer.parseInt(m.group(3)), Long.parseLong(m.group(4))));
                assertThat(a.ask("worker ask w" + i + " inc 1", Pattern.compile("^  (-?\\d+)  \\(w" + i + ","), ANSWER)
                        .group(1)).isEqualTo(Long.toString(100L * i + 1));
                if (!m.group(2).equals("a")) {
                    victim = m.group(2);
                }
            }
            assertThat(victim).as("workers all on a: %s", started).isNotNull();
            assertThat(a.ask("worker start counter w1", Pattern.compile("error: .*"), ANSWER).group())
                    .contains("already running on");
            String survivor = victim.equals("b") ? "c" : "b";
            String v = victim;
            Map<String, Where> moved = new LinkedHashMap<>(started);
            moved.values().removeIf(w -> !w.node().equals(v));
            System.out.printf("[cluster-it] workers %s; killing %s%n", started, victim);

            long t0 = System.nanoTime();
            cluster.kill(victim);
            cluster.awaitDown(List.of("a", survivor), victim, "DEAD", CONVERGE);

            for (Map.Entry<String, Where> e : moved.entrySet()) {
                String name = e.getKey();
                Pattern where = Pattern.compile(Pattern.quote(name) + ": (?:counter on (\\w+), incarnation (\\d+), epoch (\\d+), "
                        + "RUNNING|not running.*)");
                long deadline = System.nanoTime() + CONVERGE.toNanos();
                Where now = null;
                while (now == null || now.node().equals(victim)) {
                    Matcher m = a.ask("whereis " + name, where, ANSWER);
                    now = m.group(1) == null ? null
                            : new Where(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)));
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError(cluster.report("whereis " + name + " still " + m.group()) + "\n--- console of a:\n"
                                + a.tail(60));
                    }
                    if (now == null || now.node().equals(victim)) {
                        LockSupport.parkNanos(POLL_NANOS); // poll interval of a bounded wait
                    }
                }
                System.out.printf("[cluster-it] %s moved from %s to %s %d ms after the kill%n", name, e.getValue(), now,
                        (System.nanoTime() - t0) / 1_000_000);
                assertThat(now.node()).as(name).isIn("a", survivor);
                assertThat(now.incarnation()).as(name).isGreaterThan(e.getValue().incarnation());
                assertThat(now.epoch()).as(name).isGreaterThan(e.getValue().epoch());
                long start = 100L * Integer.parseInt(name.substring(1));
                assertThat(a.ask("worker ask " + name + " get", Pattern.compile("^  (-?\\d+)  \\(" + name + ","), ANSWER)
                        .group(1)).as(name).isEqualTo(Long.toString(start));
            }
            a.ask("workers", Pattern.compile("NAME\\s+TYPE\\s+NODE"), ANSWER);
            for (String name : started.keySet()) {
                Matcher row = a.ask("whereis " + name, Pattern.compile(Pattern.quote(name) + ": counter on (\\w+), incarnation"),
                        ANSWER);
                assertThat(row.group(1)).as(name).isIn("a", survivor);
            }
        }
    }
}
