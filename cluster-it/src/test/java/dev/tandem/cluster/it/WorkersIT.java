package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Named workers with real node JVMs in containers, driven through node a's console ({@code --stdin
 * --json}, {@link TandemCluster#command}: one JSON answer per command): {@code counter}
 * workers start, the container running one of them is killed (SIGKILL), and {@code whereis} must
 * then name a survivor with a higher incarnation, the worker answering there (from its start
 * argument again) and listed once by {@code workers}.
 */
class WorkersIT {
    private static final Duration CONVERGE = Duration.ofSeconds(45);
    private static final Duration ANSWER = Duration.ofSeconds(30);
    private static final int MAX_WORKERS = 8;
    private static final long POLL_NANOS = 250_000_000L;

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

    private record Where(String node, long incarnation, long epoch) {
        static Where of(Map<String, Object> o) {
            return new Where((String) o.get("node"), JsonLine.num(o, "incarnation"), JsonLine.num(o, "epoch"));
        }
    }

    /** {@code line} typed into node a's console: its JSON answer, checked to be no error. */
    private Map<String, Object> ok(String line) throws InterruptedException {
        Map<String, Object> answer = cluster.command("a", line, ANSWER);
        assertThat(answer).as(line).doesNotContainKey("error");
        return answer;
    }

    @Test
    @DisplayName("a node running named workers is killed: whereis names a survivor with a higher incarnation, once")
    void killedNodesWorkers_runOnceOnASurvivorWithAHigherIncarnation() throws Exception {
        cluster = new TandemCluster(NodeImage.shared());
        cluster.startWithConsoles("a", "b", "c");
        cluster.awaitLive(List.of("a", "b", "c"), Set.of("a", "b", "c"), CONVERGE);

        assertThat(JsonLine.list(ok("workers"), "types")).contains("counter");
        assertThat((String) cluster.command("a", "worker start gauge g", ANSWER).get("error"))
                .contains("no worker type 'gauge'");

        // Uniform scheduling: start names until one runs on b or c (all on a after k starts: p = 1/3^k).
        Map<String, Where> started = new LinkedHashMap<>();
        String victim = null;
        for (int i = 1; i <= MAX_WORKERS && victim == null; i++) {
            Map<String, Object> w = ok("worker start counter w" + i + " " + (100 * i));
            assertThat(w).containsEntry("action", "start").containsEntry("name", "w" + i)
                    .containsEntry("type", "counter").containsEntry("state", "RUNNING");
            Where where = Where.of(w);
            started.put("w" + i, where);
            assertThat(ok("worker ask w" + i + " inc 1")).containsEntry("reply", Long.toString(100L * i + 1));
            if (!where.node().equals("a")) {
                victim = where.node();
            }
        }
        assertThat(victim).as("workers all on a: %s", started).isNotNull();
        assertThat((String) cluster.command("a", "worker start counter w1", ANSWER).get("error"))
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
            long deadline = System.nanoTime() + CONVERGE.toNanos();
            Where now = null;
            while (now == null || now.node().equals(victim)) {
                Map<String, Object> where = ok("whereis " + name);
                now = Boolean.TRUE.equals(where.get("running")) && "RUNNING".equals(where.get("state")) ? Where.of(where) : null;
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(cluster.report("whereis " + name + " still " + where));
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
            assertThat(ok("worker ask " + name + " get")).as(name).containsEntry("reply", Long.toString(start));
        }
        List<Object> listed = JsonLine.list(ok("workers"), "workers");
        for (String name : started.keySet()) {
            assertThat(listed.stream().filter(w -> name.equals(((Map<?, ?>) w).get("name"))).count())
                    .as("%s listed once by 'workers': %s", name, listed).isEqualTo(1);
            Map<String, Object> where = ok("whereis " + name);
            assertThat(where).as(name).containsEntry("running", true);
            assertThat((String) where.get("node")).as(name).isIn("a", survivor);
        }
    }
}
