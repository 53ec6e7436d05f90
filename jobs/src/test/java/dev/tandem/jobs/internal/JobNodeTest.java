package dev.tandem.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.codec.Codecs;
import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.jobs.CallOptions;
import dev.tandem.jobs.CastOptions;
import dev.tandem.jobs.JobContext;
import dev.tandem.jobs.JobException;
import dev.tandem.jobs.JobHandler;
import dev.tandem.jobs.JobResult;
import dev.tandem.jobs.JobStatus;
import dev.tandem.jobs.JobsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The jobs protocol on {@link TestCluster}: virtual time, views set by the test, fixed seeds. */
class JobNodeTest {
    static final long SEED = 42;

    /** Completes after {@code input} virtual ms; honours cancellation. */
    static JobHandler<Long, Long> slow(String name, boolean cancellable) {
        return new JobHandler<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public dev.tandem.cluster.codec.Codec<Long> inputCodec() {
                return Codecs.int64();
            }

            @Override
            public dev.tandem.cluster.codec.Codec<Long> outputCodec() {
                return Codecs.int64();
            }

            @Override
            public CompletionStage<Long> run(Long input, JobContext context) {
                CompletableFuture<Long> f = new CompletableFuture<>();
                Cancellable t = context.scheduler().schedule(Duration.ofMillis(input), () -> f.complete(input));
                if (!cancellable) {
                    return f.minimalCompletionStage();
                }
                f.whenComplete((v, e) -> {
                    if (f.isCancelled()) {
                        t.cancel();
                    }
                });
                return f;
            }
        };
    }

    static final Function<String, List<JobHandler<?, ?>>> HANDLERS = node -> List.of(
            JobHandler.of("square", Codecs.int64(), Codecs.int64(), x -> x * x),
            JobHandler.of("boom", Codecs.int64(), Codecs.int64(), x -> {
                throw new IllegalStateException("boom " + x);
            }),
            slow("slow", true));

    static TestCluster cluster(JobsConfig config, String sabotage, String... nodes) {
        System.out.println("TestCluster seed " + SEED);
        return new TestCluster(SEED, config, "uniform", sabotage, HANDLERS).start(nodes);
    }

    static TestCluster cluster(String... nodes) {
        return cluster(JobsConfig.defaults(), "", nodes);
    }

    static <T> CompletableFuture<T> on(TestCluster c, String node, Function<TestCluster.TNode, CompletableFuture<T>> op) {
        CompletableFuture<T> out = new CompletableFuture<>();
        c.on(node, () -> op.apply(c.nodes.get(node)).whenComplete((v, t) -> {
            if (t != null) {
                out.completeExceptionally(t);
            } else {
                out.complete(v);
            }
        }));
        return out;
    }

    static JobException.Reason reason(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(JobException.class);
            return ((JobException) e.getCause()).reason();
        }
        throw new AssertionError("not failed");
    }

    static String message(CompletableFuture<?> f) {
        return f.handle((v, t) -> (t instanceof CompletionException && t.getCause() != null ? t.getCause() : t)
                .getMessage()).join();
    }

    double sum(TestCluster c, String meter) {
        double s = 0;
        for (TestCluster.TNode n : c.nodes.values()) {
            s += n.counter(meter);
        }
        return s;
    }

    @Test
    void call_returnsResultExecutingNodeAndAttempt() {
        TestCluster c = cluster("a", "b", "c");
        c.run(Duration.ofMillis(5));
        CompletableFuture<JobResult<Long>> f = on(c, "a", n -> n.jobs.call("square", 7L));
        c.await(f, Duration.ofSeconds(1));
        assertThat(f.join().value()).isEqualTo(49L);
        assertThat(f.join().attempt()).isEqualTo(1);
        assertThat(c.nodes.get(f.join().node().name()).id).isEqualTo(f.join().node());
        assertThat(sum(c, "tandem.jobs.started")).isEqualTo(1);
        assertThat(sum(c, "tandem.jobs.completed")).isEqualTo(1);
    }

    @Test
    void call_unknownName_failsAtOnceAtTheCaller_namingTheRegisteredJobs() {
        TestCluster c = cluster("a", "b");
        CompletableFuture<JobResult<Long>> f = c.nodes.get("a").jobs.call("nope", 1L);
        assertThat(reason(f)).isEqualTo(JobException.Reason.UNKNOWN_JOB);
        assertThat(message(f)).contains("'nope'").contains("square");
        assertThat(reason(c.nodes.get("a").jobs.cast("nope", 1L))).isEqualTo(JobException.Reason.UNKNOWN_JOB);
    }

    @Test
    void builder_rejectsTwoHandlersOfOneName() {
        TestCluster c = new TestCluster(SEED, JobsConfig.defaults(), "uniform", "", node -> List.of(
                JobHandler.of("square", Codecs.int64(), Codecs.int64(), x -> x * x),
                JobHandler.of("square", Codecs.int64(), Codecs.int64(), x -> x)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.start("a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two job handlers are named 'square'");
    }

    @Test
    void cast_onASingleNode_failsFast_becauseItCannotBeOnTwoNodes() {
        TestCluster c = cluster("a");
        c.run(Duration.ofMillis(5));
        CompletableFuture<String> f = on(c, "a", n -> n.jobs.cast("slow", 10L));
        c.run(Duration.ofMillis(10));
        assertThat(reason(f)).isEqualTo(JobException.Reason.NO_NODES);
        assertThat(message(f)).contains("two");
    }

    @Test
    void call_handlerFailure_failsWithItsMessage_andIsCountedAsFailed() {
        TestCluster c = cluster("a", "b", "c");
        c.run(Duration.ofMillis(5));
        CompletableFuture<JobResult<Long>> f = on(c, "a", n -> n.jobs.call("boom", 3L));
        c.await(f, Duration.ofSeconds(1));
        assertThat(reason(f)).isEqualTo(JobException.Reason.FAILED);
        assertThat(message(f)).contains("boom 3");
        assertThat(sum(c, "tandem.jobs.failed")).isEqualTo(1);
    }

    @Test
    void call_timeout_failsAndStopsTheRemoteExecution() {
        TestCluster c = cluster("a", "b", "c");
        c.run(Duration.ofMillis(5));
        CompletableFuture<JobResult<Long>> f = on(c, "a", n -> n.jobs.call("slow", 5_000L,
                CallOptions.timeout(Duration.ofMillis(500))));
        c.run(Duration.ofSeconds(10));
        assertThat(reason(f)).isEqualTo(JobException.Reason.TIMEOUT);
        assertThat(sum(c, "tandem.jobs.started")).isEqualTo(1);
        assertThat(sum(c, "tandem.jobs.completed")).as("the remote execution was cancelled").isZero();
        assertThat(sum(c, "tandem.jobs.cancelled")).isEqualTo(2); // submitter's abort + executor's cancel
        assertThat(sum(c, "tandem.jobs.late.replies")).isZero();
        assertThat(c.nodes.values()).allMatch(n -> JobNodes.idle(n.jobs));
    }

    /**
     * Swarm seed 103 ({@code JobSimSwarmTest}): a call returned another call's result. Request ids start
     * at 1 in every life of a node, and a reply the executor sent to the submitter's previous
     * incarnation (its view not yet updated, the address the same) was taken by the new incarnation
     * for the answer to its own request with that id. Messages now name the receiver's incarnation.
     */
    @Test
    void aReplyMeantForTheSubmittersPreviousLife_isNotTakenForTheNewLifesCallWithTheSameRequestId() {
        TestCluster c = affine("a", "b", "c");
        c.run(Duration.ofMillis(5));
        CompletableFuture<JobResult<Long>> first = on(c, "a", n -> n.jobs.call("slow", 200L,
                pinnedTo(c, "b", Duration.ofSeconds(5))));
        c.run(Duration.ofMillis(50));
        assertThat(sum(c, "tandem.jobs.started")).isEqualTo(1);
        c.restartUnnoticed("a"); // b and c still list a#1 at a's address
        c.view("a", "a", "b", "c");
        c.run(Duration.ofMillis(5));
        CompletableFuture<JobResult<Long>> second = on(c, "a", n -> n.jobs.call("slow", 1000L,
                pinnedTo(c, "b", Duration.ofSeconds(5))));
        c.run(Duration.ofMillis(300)); // b finishes a#1's call and answers it to a#1, at a's address
        c.publishViews(); // now everyone knows a#2
        c.run(Duration.ofSeconds(3));
        assertThat(first).isNotCompleted(); // its submitter's life ended
        assertThat(second).isCompleted();
        JobResult<Long> r = second.join();
        assertThat(r.value()).as("a#2's own call's result, not a#1's").isEqualTo(1000L);
        assertThat(c.nodes.get("a").counter("tandem.jobs.messages.other.incarnation")).isPositive();
    }

    /**
     * Swarm seed 560 ({@code JobSimSwarmTest}): an acknowledged cast was lost with one crash. Its backup
     * B, cut off from the executor E, restarted it (attempt 2) on a node N it could not reach either;
     * E, finished, sent B its result, B answered with attempt 2, and E dropped its own record for one
     * that only B held. Then B crashed. Now B shows attempt 2 to a node that does not hold it only once
     * both its holders hold it, and a holder given an unconfirmed newer record by one of its holders
     * keeps its own; E keeps its record and repairs it when B dies.
     */
    @Test
    void aHolderKeepsItsRecord_untilBothHoldersOfTheNewerOneHoldIt_soTheSecondHoldersCrashLosesNothing() {
        TestCluster c = cluster("a", "b", "c", "d");
        c.run(Duration.ofMillis(5));
        CompletableFuture<String> cast = on(c, "a", n -> n.jobs.cast("slow", 300L));
        c.run(Duration.ofMillis(50));
        assertThat(cast).isCompleted();
        String id = cast.join();
        Record r = ExpiryTest.held(c, "a").get(id);
        for (String n : c.nodes.keySet()) {
            r = r != null ? r : ExpiryTest.held(c, n).get(id);
        }
        String e = r.executor().name();
        String b = r.backup().name();
        // B thinks E is gone and can reach nobody but E: its restart (attempt 2) reaches no second holder.
        for (String n : c.nodes.keySet()) {
            if (!n.equals(b) && !n.equals(e)) {
                c.block(b, n);
            }
        }
        List<String> others = new ArrayList<>(c.nodes.keySet());
        others.remove(e);
        c.view(b, others.toArray(String[]::new));
        c.run(Duration.ofMillis(600)); // E finishes attempt 1, tells B, and hears of B's attempt 2
        assertThat(ExpiryTest.held(c, b).get(id).attempt()).isEqualTo(2);
        assertThat(ExpiryTest.held(c, e)).as("E keeps its record: attempt 2 is on B alone").containsKey(id);

        c.crash(b);
        c.run(Duration.ofSeconds(3));
        List<String> holders = c.nodes.keySet().stream().filter(n -> c.nodes.get(n).up)
                .filter(n -> ExpiryTest.held(c, n).containsKey(id)).toList();
        assertThat(holders).as("the cast survives B's crash on two nodes").hasSize(2);
        assertThat(holders).allMatch(n -> ExpiryTest.held(c, n).get(id).state() == Record.DONE);
    }

    /** Call options whose affinity key the key-affinity scheduler places on {@code owner}. */
    static CallOptions pinnedTo(TestCluster c, String owner, Duration timeout) {
        var table = c.placement.assign(c.nodes.values().stream()
                .map(n -> new dev.tandem.cluster.spi.PlacementNode(n.id)).toList());
        for (long h = 0; h < 10_000; h++) {
            if (table.owners(h, 1).get(0).name().equals(owner)) {
                return new CallOptions(java.util.Optional.of(timeout), java.util.OptionalLong.of(h));
            }
        }
        throw new AssertionError("no key hash owned by " + owner);
    }

    static TestCluster affine(String... nodes) {
        System.out.println("TestCluster seed " + SEED);
        return new TestCluster(SEED, JobsConfig.defaults(), "key-affinity", "", HANDLERS).start(nodes);
    }

    @Test
    void call_cancelledByTheCaller_stopsTheRemoteExecution() {
        TestCluster c = affine("a", "b", "c");
        c.run(Duration.ofMillis(5));
        List<CompletableFuture<JobResult<Long>>> calls = new ArrayList<>();
        CallOptions onB = pinnedTo(c, "b", Duration.ofSeconds(30));
        c.on("a", () -> calls.add(c.nodes.get("a").jobs.call("slow", 5_000L, onB)));
        c.run(Duration.ofMillis(100));
        assertThat(c.nodes.get("b").counter("tandem.jobs.started")).isEqualTo(1);
        calls.get(0).cancel(true);
        c.run(Duration.ofSeconds(10));
        assertThat(c.nodes.get("b").counter("tandem.jobs.cancelled")).isEqualTo(1);
        assertThat(sum(c, "tandem.jobs.completed")).isZero();
        assertThat(c.nodes.values()).allMatch(n -> JobNodes.idle(n.jobs));
    }

    @Test
    void lateReply_afterTimeout_isDroppedAndCounted_notLeaked() {
        TestCluster c = affine("a", "b", "c");
        c.run(Duration.ofMillis(5));
        CompletableFuture<JobResult<Long>> f = on(c, "a", n -> n.jobs.call("slow", 2_000L,
                pinnedTo(c, "b", Duration.ofMillis(300))));
        c.run(Duration.ofMillis(100));
        c.block("a", "b"); // the CANCEL is lost, so b finishes and replies after the deadline
        c.run(Duration.ofSeconds(5));
        assertThat(reason(f)).isEqualTo(JobException.Reason.TIMEOUT);
        assertThat(c.nodes.get("b").counter("tandem.jobs.completed")).isEqualTo(1);
        assertThat(c.nodes.get("a").counter("tandem.jobs.late.replies")).isEqualTo(1);
        c.unblock("a", "b");
        c.run(Duration.ofSeconds(1));
        assertThat(c.nodes.values()).allMatch(n -> JobNodes.idle(n.jobs));
    }

    @Test
    void call_executorCrashes_retriedElsewhereWithAHigherAttempt() {
        TestCluster c = affine("a", "b", "c", "d");
        c.run(Duration.ofMillis(5));
        CompletableFuture<JobResult<Long>> f = on(c, "a", n -> n.jobs.call("slow", 1_000L,
                pinnedTo(c, "b", Duration.ofSeconds(10))));
        c.run(Duration.ofMillis(200));
        assertThat(c.nodes.get("b").counter("tandem.jobs.started")).isEqualTo(1);
        c.crash("b");
        c.await(f, Duration.ofSeconds(5));
        assertThat(f.join().attempt()).isEqualTo(2);
        assertThat(f.join().node().name()).isNotEqualTo("b");
        assertThat(c.nodes.get("a").counter("tandem.jobs.retried")).isEqualTo(1);
    }

    @Test
    void backPressure_aFullQueueRejects_insteadOfGrowing() {
        TestCluster c = cluster(JobsConfig.defaults().withMaxConcurrent(1).withMaxQueuedCalls(2), "", "a");
        c.run(Duration.ofMillis(5));
        List<CompletableFuture<JobResult<Long>>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fs.add(on(c, "a", n -> n.jobs.call("slow", 100L)));
        }
        c.run(Duration.ofSeconds(2));
        assertThat(fs.stream().filter(f -> !f.isCompletedExceptionally()).count()).isEqualTo(3);
        assertThat(fs.stream().filter(f -> f.isCompletedExceptionally()).map(JobNodeTest::reason))
                .containsOnly(JobException.Reason.REJECTED).hasSize(2);
        assertThat(c.nodes.get("a").counter("tandem.jobs.rejected")).isEqualTo(2);
    }

    @Test
    void cast_acknowledgedOnlyOnceTwoNodesHoldIt_runsOnce_statusFromAnyNode() {
        TestCluster c = cluster("a", "b", "c");
        c.run(Duration.ofMillis(5));
        CompletableFuture<String> f = on(c, "a", n -> n.jobs.cast("slow", 500L));
        c.await(f, Duration.ofSeconds(1));
        String id = f.join();
        assertThat(c.nodes.values().stream().filter(n -> JobNodes.records(n.jobs).containsKey(id)).count()).isEqualTo(2);
        c.run(Duration.ofSeconds(3));
        for (String n : c.nodes.keySet()) {
            CompletableFuture<JobStatus> s = on(c, n, x -> x.jobs.status(id));
            c.await(s, Duration.ofSeconds(5));
            assertThat(s.join().state()).as("status from " + n).isEqualTo(JobStatus.State.DONE);
            assertThat(s.join().attempt()).isEqualTo(1);
        }
        assertThat(sum(c, "tandem.jobs.started")).isEqualTo(1);
        CompletableFuture<JobStatus> unknown = on(c, "a", x -> x.jobs.status("no-such-job"));
        c.await(unknown, Duration.ofSeconds(5));
        assertThat(unknown.join().state()).isEqualTo(JobStatus.State.UNKNOWN);
    }

    @Test
    void cast_runsEvenIfItsSubmitterAndItsExecutorDie() {
        TestCluster c = cluster("a", "b", "c", "d");
        c.run(Duration.ofMillis(5));
        CompletableFuture<String> f = on(c, "a", n -> n.jobs.cast("slow", 1_000L));
        c.await(f, Duration.ofSeconds(1));
        String id = f.join();
        String executor = null;
        for (TestCluster.TNode n : c.nodes.values()) {
            JobNodes.RecordView r = JobNodes.records(n.jobs).get(id);
            if (r != null) {
                executor = r.executor().substring(0, r.executor().indexOf('#'));
            }
        }
        assertThat(executor).isNotNull();
        c.crash("a");
        if (!executor.equals("a")) {
            c.crash(executor);
        }
        c.run(Duration.ofSeconds(5));
        String survivor = c.nodes.values().stream().filter(n -> n.up).findFirst().orElseThrow().name;
        CompletableFuture<JobStatus> s = on(c, survivor, x -> x.jobs.status(id));
        c.await(s, Duration.ofSeconds(5));
        assertThat(s.join().state()).isEqualTo(JobStatus.State.DONE);
        assertThat(s.join().attempt()).isEqualTo(2);
        assertThat(s.join().ranOn().orElseThrow().name()).isNotIn("a", executor);
    }

    @Test
    void idempotencyKey_repeatedCastIsOneJob_runsOnce() {
        TestCluster c = cluster("a", "b", "c");
        c.run(Duration.ofMillis(5));
        CompletableFuture<String> first = on(c, "a", n -> n.jobs.cast("slow", 100L, CastOptions.idempotent("order-17")));
        c.await(first, Duration.ofSeconds(1));
        c.run(Duration.ofSeconds(1));
        CompletableFuture<String> second = on(c, "b", n -> n.jobs.cast("slow", 100L, CastOptions.idempotent("order-17")));
        c.await(second, Duration.ofSeconds(1));
        c.run(Duration.ofSeconds(1));
        assertThat(second.join()).isEqualTo(first.join());
        assertThat(sum(c, "tandem.jobs.started")).isEqualTo(1);
    }

    /**
     * The executor is cut off halfway through attempt 1; the others restart the job as attempt 2.
     * The cut heals after attempt 1 finished and before attempt 2 does: the cut-off node's result
     * reaches the backup, which must reject it; with the sabotage it takes it.
     */
    Map<String, JobNodes.RecordView> staleResultRun(String sabotage) {
        TestCluster c = cluster(JobsConfig.defaults(), sabotage, "a", "b", "c", "d");
        c.run(Duration.ofMillis(5));
        CompletableFuture<String> f = on(c, "a", n -> n.jobs.cast("slow", 2_000L));
        c.await(f, Duration.ofSeconds(1));
        String id = f.join();
        JobNodes.RecordView r = null;
        for (TestCluster.TNode n : c.nodes.values()) {
            r = r != null ? r : JobNodes.records(n.jobs).get(id);
        }
        c.run(Duration.ofSeconds(1)); // attempt 1 is half done when the executor is cut off
        String exec = r.executor().substring(0, 1);
        String backup = r.backup().substring(0, 1);
        List<String> others = new ArrayList<>(c.nodes.keySet());
        others.remove(exec);
        for (String o : others) {
            c.block(exec, o);
            c.block(o, exec);
            c.view(o, others.toArray(new String[0]));
        }
        c.view(exec, exec);
        c.run(Duration.ofMillis(1_500)); // attempt 2 runs on the majority side; attempt 1 finishes alone at 2 s
        for (String o : others) {
            c.unblock(exec, o);
            c.unblock(o, exec);
        }
        c.publishViews();
        c.run(Duration.ofSeconds(3));
        System.out.println("stale-result run (" + (sabotage.isEmpty() ? "no sabotage" : sabotage) + "): executor " + exec
                + ", backup " + backup + ", stale results rejected: " + sum(c, "tandem.jobs.stale.results.rejected"));
        return JobNodes.records(c.nodes.get(backup).jobs);
    }

    @Test
    void staleAttempt_resultIsRejected_andTheNewerAttemptWins() {
        Map<String, JobNodes.RecordView> atBackup = staleResultRun("");
        assertThat(atBackup).hasSize(1);
        JobNodes.RecordView r = atBackup.values().iterator().next();
        assertThat(r.attempt()).isEqualTo(2);
        assertThat(r.state()).isEqualTo("DONE");
        assertThat(r.ranOn()).isEqualTo(r.executor()); // the attempt-2 executor's result, not the stale one
    }

    @Test
    void staleAttempt_withTheSabotage_isTaken_soTheCheckAboveCanFail() {
        // With accept-stale-results the backup takes the old executor's result for attempt 2's record.
        Map<String, JobNodes.RecordView> atBackup = staleResultRun("accept-stale-results");
        JobNodes.RecordView r = atBackup.values().iterator().next();
        assertThat(r.ranOn()).isNotEqualTo(r.executor());
    }
}
