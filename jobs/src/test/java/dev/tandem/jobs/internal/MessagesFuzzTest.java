package dev.tandem.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tandem.cluster.codec.MalformedMessageException;
import dev.tandem.jobs.JobResult;
import dev.tandem.jobs.JobsConfig;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Coverage-guided fuzzing of the jobs decoder and of a node's message handling. A plain
 * {@code mvn test} replays the empty input (and any committed inputs under
 * {@code MessagesFuzzTestInputs/}); fuzz for real with
 * {@code JAZZER_FUZZ=1 mvn test -pl jobs -am -Dtest=MessagesFuzzTest#METHOD -Djazzer.max_duration=3m}.
 */
class MessagesFuzzTest {

    @FuzzTest
    void decode_returnsAMessageOrMalformed(byte[] bytes) {
        try {
            Messages.Envelope env = Messages.decode(bytes, MessageGen.MAX_PAYLOAD);
            byte[] canonical = Messages.encode(env.sender(), env.toIncarnation(), env.load(), env.clock(), env.body());
            assertThat(canonical.length).isLessThanOrEqualTo(bytes.length);
        } catch (MalformedMessageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /**
     * Structure-aware: a valid message of any type from a cluster member, possibly corrupted,
     * delivered to a live node of a small cluster that runs a named worker. The node must neither throw
     * nor stop serving: afterwards a call through it, and a listing of its workers, still complete.
     */
    @FuzzTest
    void node_survivesAnyMessage(FuzzedDataProvider data) {
        TestCluster c = new TestCluster(data.consumeLong(), JobsConfig.defaults(), "uniform", "", JobNodeTest.HANDLERS)
                .withWorkers(dev.tandem.jobs.WorkersConfig.defaults(), TestWorkers.TYPES).start("a", "b", "c");
        c.run(Duration.ofMillis(5));
        CompletableFuture<dev.tandem.jobs.WorkerInfo> w = JobNodeTest.on(c, "b", n -> n.jobs.startWorker("counter", "w1", 0L));
        c.await(w, Duration.ofSeconds(5));
        SplittableRandom r = new SplittableRandom(data.consumeLong());
        dev.tandem.cluster.NodeId sender = c.nodes.get(data.pickValue(new String[] {"b", "c"})).id;
        byte[] bytes = Messages.encode(sender, c.nodes.get("a").id.incarnation(), r.nextInt(100),
                MessageGen.lineage(r), MessageGen.body(r));
        if (data.consumeBoolean() && bytes.length > 0) {
            bytes[data.consumeInt(0, bytes.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        if (data.consumeBoolean()) {
            bytes = data.consumeRemainingAsBytes();
        }
        byte[] payload = bytes;
        TestCluster.TNode b = c.nodes.get("b");
        c.on("a", () -> c.nodes.get("a").bound.get(dev.tandem.cluster.runtime.Channels.JOBS).onMessage(b.address, payload));
        c.run(Duration.ofMillis(50));
        CompletableFuture<JobResult<Long>> f = JobNodeTest.on(c, "a", n -> n.jobs.call("square", 3L));
        c.await(f, Duration.ofSeconds(10));
        assertThat(f).isCompleted();
        assertThat(f.join().value()).isEqualTo(9L);
        // and its workers still answer (a hostile message may have stopped or moved w1, never wedged the node)
        CompletableFuture<java.util.List<dev.tandem.jobs.WorkerInfo>> list = JobNodeTest.on(c, "a", n -> n.jobs.workers());
        c.await(list, Duration.ofSeconds(10));
        assertThat(list).isCompleted();
    }
}
