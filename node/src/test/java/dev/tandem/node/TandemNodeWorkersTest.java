package dev.tandem.node;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.codec.Codec;
import dev.tandem.cluster.codec.Codecs;
import dev.tandem.jobs.JobException;
import dev.tandem.jobs.Worker;
import dev.tandem.jobs.WorkerContext;
import dev.tandem.jobs.WorkerEvent;
import dev.tandem.jobs.WorkerHandler;
import dev.tandem.jobs.WorkerInfo;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Named workers on real nodes: three nodes on loopback in one JVM; the node running a worker is
 * closed without a goodbye (as a crash looks to the others) and the worker must come back on a
 * survivor with a higher incarnation, one instance only. Waits are on futures or conditions with
 * deadlines, never sleeps.
 */
class TandemNodeWorkersTest {
    private static final String SECRET = "test-secret-0123456789";
    private static final Duration DEADLINE = Duration.ofSeconds(45);

    private final List<TandemNode> started = new ArrayList<>();
    /** Running instances per worker name: the nodes whose instance started and has not stopped. */
    private final Map<String, Set<NodeId>> running = new ConcurrentHashMap<>();
    private final List<WorkerEvent> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(TandemNode::close);
    }

    /** Adds each message to a total that starts at the start argument; replies with the new total. */
    final class Counter implements WorkerHandler<Long, Long, Long> {
        @Override
        public String type() {
            return "counter";
        }

        @Override
        public Codec<Long> argCodec() {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> messageCodec() {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> replyCodec() {
            return Codecs.int64();
        }

        @Override
        public Worker<Long, Long> start(Long arg, WorkerContext context) {
            running.computeIfAbsent(context.name(), k -> ConcurrentHashMap.newKeySet()).add(context.node());
            return new Worker<>() {
                long total = arg;

                @Override
                public CompletionStage<Long> handle(Long message, WorkerContext c) {
                    total += message;
                    return CompletableFuture.completedFuture(total);
                }

                @Override
                public void stopped(WorkerContext c) {
                    running.get(c.name()).remove(c.node());
                }
            };
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
                    .worker(new Counter()).workerListener(events::add)
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
    void worker_isFoundFromEveryNode_andAfterItsNodeCrashesRunsOnceElsewhereWithAHigherIncarnation() throws Exception {
        List<TandemNode> nodes = threeNodes();
        TandemNode a = nodes.get(0);
        assertThat(a.workers().workerTypes()).containsExactly("counter");

        WorkerInfo first = a.workers().startWorker("counter", "c1", 10L).get(10, SECONDS);
        assertThat(first.state()).isEqualTo(WorkerInfo.State.RUNNING);
        assertThat(first.incarnation()).isEqualTo(1);
        for (TandemNode n : nodes) {
            assertThat(n.workers().<Long, Long>ask("c1", 1L).get(10, SECONDS)).as("ask via %s", n.id()).isNotNull();
            assertThat(n.workers().whereis("c1").get(10, SECONDS)).as("whereis via %s", n.id())
                    .hasValueSatisfying(w -> assertThat(w.node()).isEqualTo(first.node()));
        }
        assertThat(a.workers().<Long, Long>ask("c1", 0L).get(10, SECONDS)).isEqualTo(13L); // 10 + three asks of 1
        assertThat(running.get("c1")).containsExactly(first.node());

        TandemNode victim = nodes.stream().filter(n -> n.id().equals(first.node())).findFirst().orElseThrow();
        List<TandemNode> survivors = nodes.stream().filter(n -> n != victim).toList();
        victim.close(); // no leave: the others must detect it

        WorkerInfo moved = awaitWhereis(survivors.get(0), "c1",
                w -> !w.node().equals(victim.id()) && w.state() == WorkerInfo.State.RUNNING);
        assertThat(moved.incarnation()).isGreaterThan(first.incarnation());
        assertThat(moved.epoch()).isGreaterThan(first.epoch());
        assertThat(survivors).extracting(TandemNode::id).contains(moved.node());
        // The restarted instance begins again from the start argument (state lives in the instance);
        // asking for 0 is idempotent, so retrying while the survivors catch up cannot change it.
        assertThat(askUntilAnswered(survivors.get(1), "c1", 0L)).isEqualTo(10L);
        assertThat(survivors.get(1).workers().<Long, Long>ask("c1", 5L).get(10, SECONDS)).isEqualTo(15L);
        for (TandemNode n : survivors) {
            assertThat(n.workers().whereis("c1").get(10, SECONDS)).as("whereis via %s", n.id()).contains(moved);
            assertThat(n.workers().workers().get(10, SECONDS)).as("workers via %s", n.id()).containsExactly(moved);
        }
        Set<NodeId> live = Set.of(survivors.get(0).id(), survivors.get(1).id());
        assertThat(running.get("c1")).as("running instances, events %s", events).filteredOn(live::contains)
                .containsExactly(moved.node());
        assertThat(events).filteredOn(e -> e.kind() == WorkerEvent.Kind.RESTARTED).hasSize(1);
    }

    @Test
    void start_refusesUnknownTypesAndTakenNames_stop_removesTheWorkerEverywhere() throws Exception {
        List<TandemNode> nodes = threeNodes();
        TandemNode a = nodes.get(0);
        TandemNode b = nodes.get(1);
        assertThat(reason(a.workers().startWorker("nope", "x", 1L))).isEqualTo(JobException.Reason.UNKNOWN_JOB);
        WorkerInfo w = a.workers().startWorker("counter", "x", 0L).get(10, SECONDS);
        assertThat(reason(b.workers().startWorker("counter", "x", 0L))).isEqualTo(JobException.Reason.ALREADY_STARTED);
        b.workers().send("x", 4L).get(10, SECONDS);
        assertThat(a.workers().<Long, Long>ask("x", 0L).get(10, SECONDS)).isEqualTo(4L);

        b.workers().stopWorker("x").get(10, SECONDS);
        for (TandemNode n : nodes) {
            assertThat(n.workers().whereis("x").get(10, SECONDS)).as("whereis via %s", n.id()).isEmpty();
            assertThat(reason(n.workers().ask("x", 1L))).isEqualTo(JobException.Reason.NO_SUCH_WORKER);
        }
        assertThat(running.get("x")).isEmpty();
        assertThat(a.workers().workers().get(10, SECONDS)).singleElement()
                .satisfies(i -> assertThat(i.state()).isEqualTo(WorkerInfo.State.STOPPED));
        WorkerInfo again = b.workers().startWorker("counter", "x", 7L).get(10, SECONDS);
        assertThat(again.incarnation()).isGreaterThan(w.incarnation());
    }

    private static JobException.Reason reason(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JobException j) {
                return j.reason();
            }
            throw e;
        }
        throw new AssertionError("expected a JobException, got a result");
    }

    private static WorkerInfo awaitWhereis(TandemNode via, String name, Predicate<WorkerInfo> done) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Optional<WorkerInfo> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = via.workers().whereis(name).get(10, SECONDS);
            if (last.isPresent() && done.test(last.get())) {
                return last.get();
            }
            LockSupport.parkNanos(50_000_000L); // poll interval of a bounded wait
        }
        throw new AssertionError("whereis " + name + " via " + via.id() + " still " + last + " after " + DEADLINE);
    }

    /** Asks until the new instance answers (right after a restart a node may not know it yet). */
    private static Long askUntilAnswered(TandemNode via, String name, long message) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        JobException last = null;
        while (System.nanoTime() < deadline) {
            try {
                return via.workers().<Long, Long>ask(name, message).get(10, SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof JobException j) || j.reason() == JobException.Reason.FAILED) {
                    throw e;
                }
                last = j;
            }
            LockSupport.parkNanos(50_000_000L);
        }
        throw new AssertionError("no answer from " + name + " via " + via.id() + " within " + DEADLINE + ": " + last);
    }
}
