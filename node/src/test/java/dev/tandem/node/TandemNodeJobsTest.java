package dev.tandem.node;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.codec.Codec;
import dev.tandem.cluster.codec.Codecs;
import dev.tandem.jobs.JobContext;
import dev.tandem.jobs.JobException;
import dev.tandem.jobs.JobHandler;
import dev.tandem.jobs.JobResult;
import dev.tandem.jobs.JobStatus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Jobs on real nodes: three nodes on loopback in one JVM, each running a jobs node beside the
 * store, fed by SWIM's views. Waits are on futures or conditions with deadlines, never sleeps.
 */
class TandemNodeJobsTest {
    private static final String SECRET = "test-secret-0123456789";
    private static final Duration DEADLINE = Duration.ofSeconds(45);

    private final List<TandemNode> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(TandemNode::close);
    }

    /** Completes with its input after that many milliseconds of the node's scheduler; stops when cancelled. */
    static final class Sleep implements JobHandler<Long, Long> {
        @Override
        public String name() {
            return "sleep";
        }

        @Override
        public Codec<Long> inputCodec() {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> outputCodec() {
            return Codecs.int64();
        }

        @Override
        public CompletionStage<Long> run(Long millis, JobContext context) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            var timer = context.scheduler().schedule(Duration.ofMillis(millis), () -> f.complete(millis));
            f.whenComplete((v, e) -> timer.cancel());
            return f;
        }
    }

    private List<TandemNode> threeNodes() throws Exception {
        int[] ports = new int[3];
        for (int i = 0; i < 3; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                ports[i] = s.getLocalPort();
            }
        }
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        List<TandemNode> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TandemNode n = TandemNode.builder().name("n" + i).secret(SECRET).bind("127.0.0.1", ports[i])
                    .discovery("static").seeds(seeds)
                    .discoveryOption("protocol-period-millis", "200").discoveryOption("probe-timeout-millis", "100")
                    .discoveryOption("push-pull-interval-millis", "1000")
                    .jobHandler(JobHandler.of("square", Codecs.int64(), Codecs.int64(), x -> x * x))
                    .jobHandler(new Sleep())
                    .start();
            started.add(n);
            nodes.add(n);
        }
        for (TandemNode n : nodes) {
            n.awaitLiveMembers(3).get(30, SECONDS);
        }
        return nodes;
    }

    @Test
    void call_runsOnSomeNode_cast_isDone_andAKilledExecutorsCastsFinishElsewhereWithAHigherAttempt() throws Exception {
        List<TandemNode> nodes = threeNodes();
        TandemNode a = nodes.get(0);
        TandemNode victim = nodes.get(2);
        assertThat(a.jobs().handlerNames()).containsExactly("sleep", "square");

        JobResult<Long> r = a.jobs().<Long, Long>call("square", 7L).get(10, SECONDS);
        assertThat(r.value()).isEqualTo(49L);
        assertThat(r.attempt()).isEqualTo(1);
        assertThat(nodes).extracting(TandemNode::id).contains(r.node());

        String quick = a.jobs().cast("square", 3L).get(10, SECONDS);
        JobStatus done = awaitStatus(a, quick, s -> s.state() == JobStatus.State.DONE);
        assertThat(done.attempt()).isEqualTo(1);

        // Long casts until at least two were given to the victim (uniform: a third each), then kill it.
        Map<String, JobStatus> onVictim = new LinkedHashMap<>();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 60 && onVictim.size() < 2; i++) {
            String id = a.jobs().cast("sleep", 6_000L).get(10, SECONDS);
            all.add(id);
            JobStatus s = a.jobs().status(id).get(10, SECONDS);
            if (s.executor().map(victim.id()::equals).orElse(false)) {
                onVictim.put(id, s);
            }
        }
        assertThat(onVictim).as("casts given to %s among %s", victim.id(), all).hasSize(2);
        victim.close();

        for (String id : onVictim.keySet()) {
            JobStatus s = awaitStatus(a, id, st -> st.state() == JobStatus.State.DONE);
            assertThat(s.attempt()).as(id).isGreaterThan(1);
            assertThat(s.ranOn()).as(id).isPresent();
            assertThat(s.ranOn().get()).as(id).isNotEqualTo(victim.id());
        }
    }

    @Test
    void call_failsOverWhenItsExecutorDies() throws Exception {
        List<TandemNode> nodes = threeNodes();
        TandemNode a = nodes.get(0);
        // Calls of 1 s from a, then one of the other nodes dies: its calls run again elsewhere.
        List<CompletableFuture<JobResult<Long>>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(a.jobs().call("sleep", 1_000L, dev.tandem.jobs.CallOptions.timeout(Duration.ofSeconds(40))));
        }
        TandemNode victim = nodes.get(1);
        victim.close();
        long failedOver = 0;
        for (CompletableFuture<JobResult<Long>> c : calls) {
            JobResult<Long> r = c.get(DEADLINE.toSeconds(), SECONDS);
            assertThat(r.value()).isEqualTo(1_000L);
            assertThat(r.node()).isNotEqualTo(victim.id());
            if (r.attempt() > 1) {
                failedOver++;
            }
        }
        // 40 uniform choices among 3 nodes all missing the victim: probability (2/3)^40 < 1e-7.
        assertThat(failedOver).as("calls that ran again after their executor died").isPositive();
    }

    @Test
    void unknownJob_isAClearErrorAtTheCaller_unknownScheduler_failsAtStartListingTheInstalledOnes() throws Exception {
        List<TandemNode> nodes = threeNodes();
        assertThatThrownBy(() -> nodes.get(0).jobs().call("nope", 1L).get(10, SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(JobException.class)
                .hasMessageContaining("no job named 'nope'").hasMessageContaining("square");

        assertThatThrownBy(() -> TandemNode.builder().name("x").secret(SECRET).discovery("static")
                .seeds("127.0.0.1:1").jobScheduler("fastest").start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'fastest'")
                .hasMessageContaining("uniform").hasMessageContaining("least-loaded").hasMessageContaining("key-affinity");
    }

    @Test
    void leastLoadedAndKeyAffinity_areChosenByName() throws Exception {
        for (String scheduler : List.of("least-loaded", "key-affinity")) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            try (TandemNode n = TandemNode.builder().name("solo").secret(SECRET).bind("127.0.0.1", port)
                    .discovery("static").seeds("127.0.0.1:" + port).jobScheduler(scheduler)
                    .jobHandler(JobHandler.of("square", Codecs.int64(), Codecs.int64(), x -> x * x)).start()) {
                n.awaitLiveMembers(1).get(30, SECONDS);
                JobResult<Long> r = n.jobs().<Long, Long>call("square", 5L).get(10, SECONDS);
                assertThat(r.value()).as(scheduler).isEqualTo(25L);
                assertThat(r.node()).isEqualTo(n.id());
            }
        }
    }

    private static JobStatus awaitStatus(TandemNode via, String jobId, java.util.function.Predicate<JobStatus> condition)
            throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        JobStatus last = null;
        while (System.nanoTime() < deadline) {
            last = via.jobs().status(jobId).get(10, SECONDS);
            if (condition.test(last)) {
                return last;
            }
            LockSupport.parkNanos(50_000_000L); // poll interval of a bounded wait
        }
        throw new AssertionError("job " + jobId + " did not reach the expected state within " + DEADLINE
                + "; last status " + last);
    }
}
