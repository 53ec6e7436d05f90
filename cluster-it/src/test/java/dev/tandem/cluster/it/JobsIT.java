package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Jobs with real node JVMs in containers, driven through node a's console ({@code --stdin --json},
 * {@link TandemCluster#command}: one JSON answer per command): long casts are spread
 * over three nodes, the node running most of them is killed mid-job (SIGKILL), and those jobs must
 * finish on a survivor with a higher attempt number.
 */
class JobsIT {
    private static final Duration CONVERGE = Duration.ofSeconds(45);
    private static final Duration ANSWER = Duration.ofSeconds(30);
    /** Long enough that the jobs are still running when their node is killed, on a busy 2-core machine. */
    private static final long SLEEP_MILLIS = 15_000;
    private static final int CASTS = 9;
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

    private record Status(String state, long attempt, String executor, String ranOn) {
    }

    /** {@code status ID} typed into node a's console: its JSON answer. */
    private Status status(String jobId) throws InterruptedException {
        Map<String, Object> s = cluster.command("a", "status " + jobId, ANSWER);
        assertThat(s).as("status %s", jobId).doesNotContainKey("error").containsEntry("jobId", jobId);
        return new Status((String) s.get("state"), JsonLine.num(s, "attempt"), (String) s.get("executor"),
                (String) s.get("ranOn"));
    }

    @Test
    @DisplayName("a node killed while running casts: its jobs finish on a survivor with attempt > 1")
    void killedExecutorsCasts_finishElsewhereWithAHigherAttempt() throws Exception {
        cluster = new TandemCluster(NodeImage.shared());
        cluster.startWithConsoles("a", "b", "c");
        cluster.awaitLive(List.of("a", "b", "c"), Set.of("a", "b", "c"), CONVERGE);

        assertThat(JsonLine.list(cluster.command("a", "jobs", ANSWER), "names"))
                .contains("echo", "sleep", "square", "hash");
        assertThat(cluster.command("a", "call square 12", ANSWER)).containsEntry("result", "144")
                .containsEntry("attempt", 1L).containsKeys("node", "millis");
        assertThat((String) cluster.command("a", "call nope 1", ANSWER).get("error")).contains("no job named 'nope'");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CASTS; i++) {
            Map<String, Object> cast = cluster.command("a", "cast sleep " + SLEEP_MILLIS, ANSWER);
            assertThat(cast).doesNotContainKey("error").containsKey("jobId");
            ids.add((String) cast.get("jobId"));
        }
        Map<String, List<String>> byExecutor = new TreeMap<>();
        for (String id : ids) {
            Status s = status(id);
            assertThat(s.state()).as(id).isEqualTo("PENDING");
            byExecutor.computeIfAbsent(s.executor(), k -> new ArrayList<>()).add(id);
        }
        String victim = byExecutor.getOrDefault("b", List.of()).size() >= byExecutor.getOrDefault("c", List.of()).size()
                ? "b" : "c";
        List<String> mine = byExecutor.getOrDefault(victim, List.of());
        assertThat(mine).as("casts given to b or c: %s (9 uniform draws over 3 nodes all on a: p = 1/3^9)", byExecutor)
                .isNotEmpty();
        System.out.printf("[cluster-it] executors %s; killing %s%n", byExecutor, victim);

        long t0 = System.nanoTime();
        cluster.kill(victim);
        String survivor = victim.equals("b") ? "c" : "b";
        cluster.awaitDown(List.of("a", survivor), victim, "DEAD", CONVERGE);

        // Poll a's console, with a deadline, until every one of the victim's jobs is DONE elsewhere.
        long deadline = System.nanoTime() + CONVERGE.toNanos() + Duration.ofMillis(SLEEP_MILLIS).toNanos();
        Map<String, Status> done = new LinkedHashMap<>();
        while (done.size() < mine.size()) {
            for (String id : mine) {
                if (!done.containsKey(id)) {
                    Status s = status(id);
                    if (s.state().equals("DONE")) {
                        done.put(id, s);
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(cluster.report("jobs of " + victim + " not all DONE: " + done.keySet()
                        + " of " + mine));
            }
            if (done.size() < mine.size()) {
                LockSupport.parkNanos(POLL_NANOS); // poll interval of a bounded wait
            }
        }
        System.out.printf("[cluster-it] the %d jobs of %s finished elsewhere %d ms after the kill: %s%n", mine.size(),
                victim, (System.nanoTime() - t0) / 1_000_000, done);
        for (Map.Entry<String, Status> e : done.entrySet()) {
            assertThat(e.getValue().attempt()).as(e.getKey()).isGreaterThan(1);
            assertThat(e.getValue().ranOn()).as(e.getKey()).isNotNull().isNotEqualTo(victim).isIn("a", survivor);
        }
    }
}
