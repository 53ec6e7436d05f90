package dev.tandem.jobs.internal;

import static dev.tandem.jobs.internal.JobNodeTest.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.runtime.Channels;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.jobs.CastOptions;
import dev.tandem.jobs.JobStatus;
import dev.tandem.jobs.JobsConfig;
import dev.tandem.jobs.WorkerInfo;
import dev.tandem.jobs.WorkersConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Finished cast records and stopped worker registrations are forgotten ({@link
 * JobsConfig#finishedRetention()}, {@link JobsConfig#maxFinishedRecords()}) on {@link TestCluster}:
 * virtual time, fixed seed.
 */
class ExpiryTest {
    static final long SEED = 42;
    static final Duration RETENTION = Duration.ofSeconds(10);

    static TestCluster cluster(JobsConfig config, String... nodes) {
        System.out.println("TestCluster seed " + SEED);
        TestCluster c = new TestCluster(SEED, config, "uniform", "", JobNodeTest.HANDLERS)
                .withWorkers(WorkersConfig.defaults(), TestWorkers.TYPES).start(nodes);
        c.run(Duration.ofMillis(5));
        return c;
    }

    /** Casts {@code count} jobs through the nodes in turn and returns their ids once all are acknowledged. */
    static List<String> castAll(TestCluster c, int count, String job, long arg, CastOptions options) {
        List<String> names = new ArrayList<>(c.nodes.keySet());
        List<CompletableFuture<String>> fs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            fs.add(on(c, names.get(i % names.size()), n -> n.jobs.cast(job, arg, options)));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0]));
        c.await(all, Duration.ofSeconds(10));
        assertThat(all).as("all casts acknowledged").isCompleted();
        return fs.stream().map(CompletableFuture::join).toList();
    }

    static List<String> castAll(TestCluster c, int count, String job, long arg) {
        return castAll(c, count, job, arg, CastOptions.none());
    }

    /** The {@code tandem.jobs.records} gauges of the up nodes, summed. */
    static double recordsGauge(TestCluster c) {
        return c.nodes.values().stream().filter(n -> n.up)
                .mapToDouble(n -> n.meters.find("tandem.jobs.records").gauge().value()).sum();
    }

    static double sum(TestCluster c, String meter) {
        return c.nodes.values().stream().mapToDouble(n -> n.counter(meter)).sum();
    }

    static JobStatus status(TestCluster c, String via, String id) {
        CompletableFuture<JobStatus> s = on(c, via, n -> n.jobs.status(id));
        c.await(s, Duration.ofSeconds(5));
        return s.join();
    }

    static Map<String, Record> held(TestCluster c, String node) {
        return ((JobNode) c.nodes.get(node).jobs).records();
    }

    @Test
    void config_defaultsAndValidation() {
        assertThat(JobsConfig.defaults().finishedRetention()).isEqualTo(Duration.ofMinutes(5));
        assertThat(JobsConfig.defaults().maxFinishedRecords()).isEqualTo(100_000);
        assertThat(JobsConfig.defaults().withFinishedRetention(Duration.ofSeconds(2)).withMaxFinishedRecords(7))
                .extracting(JobsConfig::finishedRetention, JobsConfig::maxFinishedRecords)
                .containsExactly(Duration.ofSeconds(2), 7);
        assertThatThrownBy(() -> JobsConfig.defaults().withFinishedRetention(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("finishedRetention must be a positive duration, was PT0S");
        assertThatThrownBy(() -> JobsConfig.defaults().withMaxFinishedRecords(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxFinishedRecords must be >= 1, was 0");
        assertThatThrownBy(() -> JobsConfig.defaults().withFinishedRetention(null))
                .isInstanceOf(NullPointerException.class).hasMessage("finishedRetention");
    }

    @Test
    void finishedCasts_areKeptForTheRetention_thenForgottenOnBothHolders() {
        TestCluster c = cluster(JobsConfig.defaults().withFinishedRetention(RETENTION), "a", "b", "c");
        List<String> ids = castAll(c, 30, "slow", 200L); // 10 per node, 8 at a time: all done within 0.5 s
        c.run(Duration.ofSeconds(2));
        assertThat(recordsGauge(c)).as("two holders per cast").isEqualTo(60);
        assertThat(c.nodes.keySet()).allSatisfy(n -> assertThat(held(c, n).values()).allMatch(r -> r.state() == Record.DONE));
        for (String n : c.nodes.keySet()) {
            assertThat(status(c, n, ids.get(0)).state()).as("status from " + n).isEqualTo(JobStatus.State.DONE);
        }
        c.run(Duration.ofSeconds(7)); // 9 s after the casts: every record finished less than 10 s ago
        assertThat(recordsGauge(c)).as("kept for the retention").isEqualTo(60);
        assertThat(sum(c, "tandem.jobs.records.expired")).isZero();

        c.run(Duration.ofSeconds(3));
        assertThat(recordsGauge(c)).as("forgotten once finished for the retention").isZero();
        assertThat(sum(c, "tandem.jobs.records.expired")).isEqualTo(60);
        for (String n : c.nodes.keySet()) {
            assertThat(status(c, n, ids.get(0)).state()).as("status from " + n).isEqualTo(JobStatus.State.UNKNOWN);
        }
        assertThat(sum(c, "tandem.jobs.started")).isEqualTo(30);
        assertThat(c.nodes.values()).allMatch(n -> JobNodes.idle(n.jobs));
    }

    @Test
    void lateCopiesOfAForgottenCast_areAnsweredWithTheFinishedRecord_andDoNotRunItAgain() {
        TestCluster c = cluster(JobsConfig.defaults().withFinishedRetention(RETENTION), "a", "b", "c");
        String id = castAll(c, 1, "slow", 200L).get(0);
        c.run(Duration.ofSeconds(1));
        Record done = null;
        for (String n : c.nodes.keySet()) {
            done = done != null ? done : held(c, n).get(id);
        }
        assertThat(done.state()).isEqualTo(Record.DONE);
        String exec = done.executor().name();
        String backup = done.backup().name();
        c.run(RETENTION.plusSeconds(1));
        assertThat(recordsGauge(c)).isZero();

        // What the submitter sent first (PENDING, the same order), delivered again to both holders, as
        // if from the submitter, then from each holder's partner.
        c.delivered.clear();
        for (String[] fromTo : new String[][] {{"a", exec}, {"a", backup}, {backup, exec}, {exec, backup}}) {
            TestCluster.TNode from = c.nodes.get(fromTo[0]);
            TestCluster.TNode to = c.nodes.get(fromTo[1]);
            byte[] copy = Messages.encode(from.id, to.id.incarnation(), 0, 0, new Messages.RecordMsg(done.reopened()));
            c.on(to.name, () -> to.bound.get(Channels.JOBS).onMessage(from.address, copy));
        }
        c.run(Duration.ofSeconds(2));
        assertThat(sum(c, "tandem.jobs.started")).as("not run again").isEqualTo(1);
        assertThat(recordsGauge(c)).as("recorded nowhere again").isZero();
        List<Record> answers = c.delivered.stream().map(b -> Messages.decode(b, 1 << 20).body())
                .filter(b -> b instanceof Messages.RecordMsg).map(b -> ((Messages.RecordMsg) b).record())
                .filter(r -> r.jobId().equals(id)).toList();
        assertThat(answers).as("the holders answer the copies with the finished record").isNotEmpty()
                .allMatch(r -> r.state() == Record.DONE && r.attempt() == 1);
        assertThat(c.nodes.values()).allMatch(n -> JobNodes.idle(n.jobs));
    }

    @Test
    void aFinishedRecord_isKeptUntilItsPartnerConfirmedIt() {
        TestCluster c = cluster(JobsConfig.defaults().withFinishedRetention(Duration.ofSeconds(2)), "a", "b", "c");
        String id = castAll(c, 1, "slow", 1_000L).get(0);
        Record r = held(c, "a").getOrDefault(id, held(c, "b").getOrDefault(id, held(c, "c").get(id)));
        String exec = r.executor().name();
        String backup = r.backup().name();
        c.block(backup, exec); // the backup's acknowledgements never reach the executor
        c.run(Duration.ofSeconds(10));
        assertThat(held(c, exec)).as("the executor never heard that its partner holds the result").containsKey(id);
        assertThat(held(c, exec).get(id).state()).isEqualTo(Record.DONE);
        assertThat(held(c, backup)).as("the backup got the result from the executor: both hold it").doesNotContainKey(id);
        assertThat(c.nodes.get(exec).counter("tandem.jobs.records.expired")).isZero();

        c.unblock(backup, exec);
        c.run(Duration.ofSeconds(3)); // confirmed within a tick, then one more retention
        assertThat(held(c, exec)).doesNotContainKey(id);
        assertThat(sum(c, "tandem.jobs.records.expired")).isEqualTo(2);
        assertThat(sum(c, "tandem.jobs.started")).isEqualTo(1);
    }

    @Test
    void overMaxFinishedRecords_theOldestConfirmedOnesAreForgottenFirst() {
        int cap = 20;
        int batch = 15;
        TestCluster c = cluster(JobsConfig.defaults().withMaxFinishedRecords(cap), "a", "b", "c");
        List<List<String>> batches = new ArrayList<>();
        int most = 0;
        for (int i = 0; i < 20; i++) {
            batches.add(castAll(c, batch, "square", i));
            for (int t = 0; t < 10; t++) {
                c.run(Duration.ofMillis(100));
                for (String n : c.nodes.keySet()) {
                    most = Math.max(most, held(c, n).size());
                }
            }
            for (String n : c.nodes.keySet()) {
                assertThat(held(c, n).size()).as("records on " + n + " after batch " + i).isLessThanOrEqualTo(cap);
            }
        }
        System.out.println("most records held on one node: " + most + " (cap " + cap + ", batches of " + batch + ")");
        assertThat(most).as("at most a batch over the cap between two ticks").isLessThanOrEqualTo(cap + batch);
        assertThat(sum(c, "tandem.jobs.started")).as("each cast ran once").isEqualTo(20 * batch);
        assertThat(sum(c, "tandem.jobs.records.expired")).isEqualTo(2 * 20 * batch - recordsGauge(c));
        TreeSet<String> recent = new TreeSet<>();
        batches.subList(batches.size() - 3, batches.size()).forEach(recent::addAll);
        for (String n : c.nodes.keySet()) {
            assertThat(recent).as("what " + n + " kept is among the last three batches").containsAll(held(c, n).keySet());
        }
    }

    @Test
    void idempotencyKey_deduplicatesWhileRetainedAndRemembered_thenRunsAgain() {
        TestCluster c = cluster(JobsConfig.defaults().withFinishedRetention(Duration.ofSeconds(2)), "a", "b", "c");
        CastOptions key = CastOptions.idempotent("order-17");
        String first = castAll(c, 1, "slow", 100L, key).get(0);
        c.run(Duration.ofSeconds(1));
        CompletableFuture<String> second = on(c, "b", n -> n.jobs.cast("slow", 100L, key));
        c.await(second, Duration.ofSeconds(1));
        c.run(Duration.ofSeconds(1));
        assertThat(second.join()).isEqualTo(first);
        assertThat(sum(c, "tandem.jobs.started")).as("repeated within the retention: one job").isEqualTo(1);

        c.run(Duration.ofSeconds(5));
        assertThat(recordsGauge(c)).as("forgotten").isZero();
        for (String via : c.nodes.keySet()) {
            CompletableFuture<String> again = on(c, via, n -> n.jobs.cast("slow", 100L, key));
            c.await(again, Duration.ofSeconds(1));
            assertThat(again.join()).isEqualTo(first);
        }
        c.run(Duration.ofSeconds(1));
        assertThat(sum(c, "tandem.jobs.started")).as("answered from the memory of forgotten records").isEqualTo(1);
        assertThat(status(c, "a", first).state()).isEqualTo(JobStatus.State.UNKNOWN);

        // 7,000 other casts: each node forgets more than the 4,096 records it remembers
        int others = 7_000;
        for (int i = 0; i < others; i += 500) {
            castAll(c, 500, "square", i);
            c.run(Duration.ofMillis(500));
        }
        c.run(Duration.ofSeconds(5));
        assertThat(sum(c, "tandem.jobs.started")).isEqualTo(1 + others);
        CompletableFuture<String> late = on(c, "c", n -> n.jobs.cast("slow", 100L, key));
        c.await(late, Duration.ofSeconds(1));
        c.run(Duration.ofSeconds(1));
        assertThat(late.join()).isEqualTo(first);
        assertThat(sum(c, "tandem.jobs.started")).as("out of the memory too: runs again").isEqualTo(2 + others);
        assertThat(status(c, "a", first).state()).isEqualTo(JobStatus.State.DONE);
    }

    // ------------------------------------------------------------------ stopped worker registrations

    /** The state of each up node's registration of {@code name} ("PENDING", "DONE", "FAILED"), by node. */
    static Map<String, String> registrations(TestCluster c, String name) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (TestCluster.TNode n : c.nodes.values()) {
            JobNodes.RecordView r = n.up ? JobNodes.records(n.jobs).get("worker:" + name) : null;
            if (r != null) {
                out.put(n.name, r.state());
            }
        }
        return out;
    }

    static double gauges(TestCluster c, String meter) {
        return c.nodes.values().stream().filter(n -> n.up).mapToDouble(n -> n.meters.find(meter).gauge().value()).sum();
    }

    @Test
    void stoppedAndFailedWorkerRegistrations_areForgottenAfterTheRetentionOnBothHolders_runningOnesNever() {
        TestCluster c = cluster(JobsConfig.defaults().withFinishedRetention(RETENTION), "a", "b", "c");
        WorkerTest.start(c, "a", "running", 1);
        WorkerTest.start(c, "b", "stopped", 2);
        WorkerTest.start(c, "c", "failed", -1); // acknowledged; the start then throws on its node: FAILED
        WorkerTest.await(c, on(c, "c", n -> n.jobs.stopWorker("stopped")));
        castAll(c, 10, "square", 3L);
        c.run(Duration.ofSeconds(9)); // finished less than the 10 s retention ago
        assertThat(registrations(c, "stopped").values()).as("kept for the retention").containsExactly("DONE", "DONE");
        assertThat(registrations(c, "failed").values()).containsExactly("FAILED", "FAILED");
        assertThat(gauges(c, "tandem.workers.records.stopped")).isEqualTo(4);
        assertThat(sum(c, "tandem.workers.expired")).isZero();
        List<WorkerInfo> listed = WorkerTest.await(c, on(c, "a", n -> n.jobs.workers()));
        assertThat(listed).extracting(WorkerInfo::name).containsExactly("failed", "running", "stopped");

        c.run(Duration.ofSeconds(3));
        assertThat(registrations(c, "stopped")).as("forgotten on both holders").isEmpty();
        assertThat(registrations(c, "failed")).isEmpty();
        assertThat(registrations(c, "running").values()).containsExactly("PENDING", "PENDING");
        assertThat(sum(c, "tandem.workers.expired")).as("two registrations x two holders").isEqualTo(4);
        assertThat(sum(c, "tandem.jobs.records.expired")).as("the ten casts only").isEqualTo(20);
        assertThat(gauges(c, "tandem.workers.records.stopped")).isZero();
        assertThat(gauges(c, "tandem.workers.records")).isEqualTo(2);
        List<WorkerInfo> after = WorkerTest.await(c, on(c, "b", n -> n.jobs.workers()));
        assertThat(after).extracting(WorkerInfo::name, WorkerInfo::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("running", WorkerInfo.State.RUNNING));
        Optional<WorkerInfo> where = WorkerTest.await(c, on(c, "a", n -> n.jobs.whereis("stopped")));
        assertThat(where).isEmpty();
        assertThat(WorkerTest.runningOn(c, "stopped")).isEmpty();

        c.run(Duration.ofMinutes(2));
        assertThat(registrations(c, "running").values()).as("a running registration never expires")
                .containsExactly("PENDING", "PENDING");
        assertThat(WorkerTest.ask(c, "c", "running", 1)).isEqualTo(2);
        assertThat(sum(c, "tandem.workers.expired")).isEqualTo(4);
        assertThat(c.nodes.values()).allMatch(n -> JobNodes.idle(n.jobs));
    }

    /**
     * After both holders forgot a stopped registration, copies of it as it was while it ran (a
     * holder's or the home's resend held up by the network, here delivered again by hand) and a copy
     * of the start request reach its nodes: they are answered with the stopped registration from the
     * memory of forgotten records, recorded nowhere, and start nothing.
     */
    @Test
    void lateCopiesOfAForgottenStoppedRegistration_areAnsweredStopped_andStartNothing() {
        TestCluster c = cluster(JobsConfig.defaults().withFinishedRetention(RETENTION), "a", "b", "c", "d");
        c.delivered.clear();
        WorkerInfo w = WorkerTest.start(c, "a", "gone", 5);
        Record running = held(c, w.node().name()).get("worker:gone");
        String exec = running.executor().name();
        String backup = running.backup().name();
        List<byte[]> startRequests = c.delivered.stream()
                .filter(b -> Messages.decode(b, 1 << 20).body() instanceof Messages.WorkerStart).toList();
        WorkerTest.await(c, on(c, "b", n -> n.jobs.stopWorker("gone")));
        c.run(RETENTION.plusSeconds(2));
        assertThat(registrations(c, "gone")).as("forgotten").isEmpty();
        assertThat(sum(c, "tandem.workers.expired")).isEqualTo(2);

        c.delivered.clear();
        List<String[]> copies = new ArrayList<>();
        for (String other : c.nodes.keySet()) {
            if (!other.equals(exec)) {
                copies.add(new String[] {other, exec});
            }
            if (!other.equals(backup)) {
                copies.add(new String[] {other, backup});
            }
        }
        for (String[] fromTo : copies) {
            TestCluster.TNode from = c.nodes.get(fromTo[0]);
            TestCluster.TNode to = c.nodes.get(fromTo[1]);
            byte[] copy = Messages.encode(from.id, to.id.incarnation(), 0, 0, new Messages.RecordMsg(running));
            c.on(to.name, () -> to.bound.get(Channels.JOBS).onMessage(from.address, copy));
        }
        String home = running.backup().name(); // the home keeps itself as backup unless it runs the worker
        for (byte[] request : startRequests) {
            TestCluster.TNode to = c.nodes.get(home);
            TestCluster.TNode from = c.nodes.get(Messages.decode(request, 1 << 20).sender().name());
            c.on(home, () -> to.bound.get(Channels.JOBS).onMessage(from.address, request));
        }
        c.run(Duration.ofSeconds(2));
        assertThat(WorkerTest.runningOn(c, "gone")).as("the stopped worker stays stopped").isEmpty();
        assertThat(sum(c, "tandem.workers.started")).isEqualTo(1);
        assertThat(registrations(c, "gone")).as("recorded by neither holder again").doesNotContainKeys(exec, backup);
        List<Record> answers = c.delivered.stream().map(b -> Messages.decode(b, 1 << 20))
                .filter(e -> (e.sender().name().equals(exec) || e.sender().name().equals(backup))
                        && e.body() instanceof Messages.RecordMsg m && m.record().jobId().equals("worker:gone"))
                .map(e -> ((Messages.RecordMsg) e.body()).record()).toList();
        assertThat(answers).as("the holders answer with the stopped registration").isNotEmpty()
                .allMatch(r -> r.state() == Record.DONE && r.attempt() == 1);
        Optional<WorkerInfo> where = WorkerTest.await(c, on(c, "c", n -> n.jobs.whereis("gone")));
        assertThat(where).isEmpty();
    }

    /**
     * A name started again after its stop was forgotten starts normally: while the holders remember
     * it (incarnation 2, above the stopped one), and after 7,000 other casts pushed it out of every
     * node's memory of forgotten records (the name is new again). Its running registrations never
     * expire meanwhile.
     */
    @Test
    void aNameStoppedAndForgotten_startsAgainNormally_whileRememberedAndAfterItIsForgottenEntirely() {
        TestCluster c = cluster(JobsConfig.defaults().withFinishedRetention(Duration.ofSeconds(2)), "a", "b", "c");
        WorkerInfo first = WorkerTest.start(c, "a", "reuse", 1);
        WorkerTest.await(c, on(c, "a", n -> n.jobs.stopWorker("reuse")));
        c.run(Duration.ofSeconds(5));
        assertThat(registrations(c, "reuse")).isEmpty();

        WorkerInfo second = WorkerTest.start(c, "b", "reuse", 10);
        assertThat(second.incarnation()).as("the home remembers the forgotten one").isGreaterThan(first.incarnation());
        assertThat(WorkerTest.ask(c, "c", "reuse", 1)).isEqualTo(11);
        WorkerTest.await(c, on(c, "c", n -> n.jobs.stopWorker("reuse")));
        c.run(Duration.ofSeconds(5));
        assertThat(registrations(c, "reuse")).isEmpty();

        int others = 7_000; // each node forgets more than the 4,096 records it remembers
        for (int i = 0; i < others; i += 500) {
            castAll(c, 500, "square", i);
            c.run(Duration.ofMillis(500));
        }
        c.run(Duration.ofSeconds(5));
        WorkerInfo third = WorkerTest.start(c, "c", "reuse", 100);
        System.out.println("incarnations: " + first.incarnation() + ", " + second.incarnation() + ", then after it was"
                + " forgotten entirely " + third.incarnation());
        c.run(Duration.ofMillis(50));
        assertThat(WorkerTest.runningOn(c, "reuse")).containsExactly(third.node().name());
        assertThat(WorkerTest.ask(c, "a", "reuse", 1)).isEqualTo(101);
        for (String n : c.nodes.keySet()) {
            Optional<WorkerInfo> where = WorkerTest.await(c, on(c, n, j -> j.jobs.whereis("reuse")));
            assertThat(where.orElseThrow().node()).as("whereis from " + n).isEqualTo(third.node());
        }
        c.run(Duration.ofSeconds(10));
        assertThat(registrations(c, "reuse").values()).containsExactly("PENDING", "PENDING");
        assertThat(sum(c, "tandem.workers.expired")).isEqualTo(4);
    }

    /**
     * A node joins and becomes the home of a running name it does not hold; the holders tell it of the
     * registration (its directory). The name is stopped while the holders cannot reach the home: they
     * keep the stopped registration past the retention until the home has it, because a later start
     * is decided there, and a home that still listed the registration as running would refuse it
     * ({@code ALREADY_STARTED}) with nothing running.
     */
    @Test
    void aStoppedRegistration_isKeptUntilTheNamesHomeHasIt_soALaterStartThereSucceeds() {
        TestCluster c = cluster(JobsConfig.defaults().withFinishedRetention(Duration.ofSeconds(2)), "a", "b", "c", "d");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            names.add("h" + i);
            WorkerTest.start(c, "abcd".substring(i % 4, i % 4 + 1), "h" + i, i);
        }
        c.start("e");
        c.run(Duration.ofSeconds(1));
        PlacementTable table = c.placement.assign(PlacementNode.liveNodes(c.nodes.get("a").jobs.view()));
        String name = names.stream().filter(n -> table.owners(KeyHash.of("worker:" + n), 1).get(0).name().equals("e"))
                .findFirst().orElseThrow(() -> new AssertionError("no name of 12 has e as its home"));
        assertThat(registrations(c, name)).as("e is not a holder").doesNotContainKey("e").hasSize(2);
        List<String> holders = new ArrayList<>(registrations(c, name).keySet());
        holders.forEach(h -> c.block(h, "e"));
        WorkerTest.await(c, on(c, holders.get(0), n -> n.jobs.stopWorker(name)));
        c.run(Duration.ofSeconds(10));
        assertThat(registrations(c, name).values()).as("kept while the home has not confirmed it")
                .containsExactly("DONE", "DONE");
        holders.forEach(h -> c.unblock(h, "e"));
        c.run(Duration.ofSeconds(3));
        assertThat(registrations(c, name)).as("forgotten once the home has it").isEmpty();
        WorkerInfo again = WorkerTest.start(c, "a", name, 50);
        assertThat(again.incarnation()).isEqualTo(2);
        assertThat(WorkerTest.ask(c, "b", name, 1)).isEqualTo(51);
    }

    /**
     * A name is started twice and stopped twice (its stopped registration is incarnation 2) and its
     * holders forget it; they still remember it. Cut off from the other three, who start the name again:
     * its home there never heard of it and records incarnation 1, epoch 1. After the heal the name's home
     * is one of the two that remember the stopped incarnation 2, and the new holders tell it of their
     * registration (its directory). The new start's lineage is greater (stamped after the stop), so the
     * running registration wins over the remembered stopped one: one instance runs, and every node finds
     * it. (On the code before, worker expiry swarm seed 132: the stopped registration had the greater
     * order, the home answered with it, and both new holders dropped the acknowledged registration.)
     */
    @Test
    void aStartRecordedByAHomeThatNeverHeardOfTheName_outranksTheStoppedRegistrationRememberedElsewhere() {
        TestCluster c = cluster(JobsConfig.defaults().withFinishedRetention(Duration.ofSeconds(2)),
                "a", "b", "c", "d", "e");
        String name = null;
        List<String> holders = null;
        for (int i = 0; i < 20 && name == null; i++) {
            String n = "again" + i;
            WorkerTest.start(c, "a", n, 1);
            WorkerTest.await(c, on(c, "a", x -> x.jobs.stopWorker(n)));
            WorkerInfo second = WorkerTest.start(c, "b", n, 2);
            assertThat(second.incarnation()).isEqualTo(2);
            WorkerTest.await(c, on(c, "a", x -> x.jobs.stopWorker(n)));
            List<String> heldBy = new ArrayList<>(registrations(c, n).keySet());
            PlacementTable table = c.placement.assign(PlacementNode.liveNodes(c.nodes.get("a").jobs.view()));
            String home = table.owners(KeyHash.of("worker:" + n), 1).get(0).name();
            if (heldBy.size() == 2 && heldBy.contains(home)) {
                name = n;
                holders = heldBy;
            }
        }
        c.run(Duration.ofSeconds(4));
        assertThat(name).as("a name whose home held its stopped registration").isNotNull();
        String n = name;
        assertThat(registrations(c, n)).as("forgotten by its holders").isEmpty();
        List<String> others = new ArrayList<>(c.nodes.keySet());
        others.removeAll(holders);
        for (String h : holders) {
            for (String o : others) {
                c.block(h, o);
                c.block(o, h);
            }
            c.view(h, holders.toArray(new String[0]));
        }
        for (String o : others) {
            c.view(o, others.toArray(new String[0]));
        }
        c.run(Duration.ofMillis(5));
        WorkerInfo fresh = WorkerTest.start(c, others.get(0), n, 30);
        assertThat(fresh.incarnation()).as("its home there never heard of it").isEqualTo(1);
        assertThat(fresh.epoch()).isEqualTo(1);
        WorkerTest.heal(c);
        c.run(Duration.ofSeconds(3));
        assertThat(WorkerTest.runningOn(c, n)).as("the acknowledged start runs").containsExactly(fresh.node().name());
        assertThat(registrations(c, n).values()).containsExactly("PENDING", "PENDING");
        for (String via : c.nodes.keySet()) {
            Optional<WorkerInfo> w = WorkerTest.await(c, on(c, via, x -> x.jobs.whereis(n)));
            assertThat(w).as("whereis from " + via).hasValueSatisfying(i -> assertThat(i.node()).isEqualTo(fresh.node()));
        }
        assertThat(WorkerTest.ask(c, holders.get(0), n, 1)).isEqualTo(31);
    }

    /**
     * A stop ends its registration's lineage: a running copy of the same registration with a greater
     * epoch and incarnation (a partner's repair, or a second home's record of the same start request,
     * made before it heard of the stop) delivered to both holders after the stop is answered with the
     * stopped registration and starts nothing. (On the code before, the greater running copy won and the
     * stopped worker ran again: worker expiry swarm seed 1160 on the lineage code, where a restarted home
     * recorded a resent start request a second time and that registration outlived the stop.)
     */
    @Test
    void aRunningCopyOfTheStoppedLineage_withAGreaterEpoch_doesNotUndoTheStop() {
        TestCluster c = cluster(JobsConfig.defaults(), "a", "b", "c");
        WorkerInfo w = WorkerTest.start(c, "a", "ended", 5);
        WorkerTest.await(c, on(c, "a", x -> x.jobs.stopWorker("ended")));
        assertThat(registrations(c, "ended").values()).containsExactly("DONE", "DONE");
        String holder = registrations(c, "ended").keySet().iterator().next();
        Record stopped = held(c, holder).get("worker:ended");
        Record repaired = stopped.reopened().withHolders(stopped.attempt() + 1, stopped.epoch() + 5, stopped.executor(),
                stopped.backup());
        String other = c.nodes.keySet().stream().filter(n -> !stopped.holds(c.nodes.get(n).id)).findFirst().orElseThrow();
        TestCluster.TNode from = c.nodes.get(other);
        for (String to : registrations(c, "ended").keySet()) {
            TestCluster.TNode t = c.nodes.get(to);
            byte[] copy = Messages.encode(from.id, t.id.incarnation(), 0, 0, new Messages.RecordMsg(repaired));
            c.on(to, () -> t.bound.get(Channels.JOBS).onMessage(from.address, copy));
        }
        c.run(Duration.ofSeconds(2));
        assertThat(WorkerTest.runningOn(c, "ended")).as("stopped stays stopped").isEmpty();
        assertThat(registrations(c, "ended").values()).containsExactly("DONE", "DONE");
        assertThat(w.incarnation()).isEqualTo(1);
    }

    /**
     * Stopped registrations are bounded like finished casts ({@code maxFinishedRecords}, oldest
     * confirmed first), but counted apart from them: cast churn over the cap does not make a stop be
     * forgotten early.
     */
    @Test
    void overMaxFinishedRecords_theOldestStoppedRegistrationsGoFirst_andCastsDoNotPushThemOut() {
        int cap = 5;
        TestCluster c = cluster(JobsConfig.defaults().withMaxFinishedRecords(cap), "a", "b", "c");
        int names = 12;
        for (int i = 0; i < names; i++) {
            String name = "s" + i;
            WorkerTest.start(c, "abc".substring(i % 3, i % 3 + 1), name, i);
            WorkerTest.await(c, on(c, "a", n -> n.jobs.stopWorker(name)));
        }
        c.run(Duration.ofSeconds(1));
        Map<String, List<String>> stoppedOn = new java.util.TreeMap<>();
        for (String n : c.nodes.keySet()) {
            List<String> kept = held(c, n).values().stream().filter(r -> r.jobId().startsWith("worker:"))
                    .map(r -> r.jobId().substring("worker:".length())).sorted().toList();
            assertThat(kept.size()).as("stopped registrations on " + n).isLessThanOrEqualTo(cap);
            stoppedOn.put(n, kept);
        }
        assertThat(registrations(c, "s0")).as("the oldest went first").isEmpty();
        assertThat(registrations(c, "s" + (names - 1)).values()).as("the newest is kept").containsExactly("DONE", "DONE");
        assertThat(sum(c, "tandem.workers.expired")).isEqualTo(2 * names - gauges(c, "tandem.workers.records.stopped"));

        castAll(c, 60, "square", 7L);
        c.run(Duration.ofSeconds(2));
        for (String n : c.nodes.keySet()) {
            List<String> kept = held(c, n).values().stream().filter(r -> r.jobId().startsWith("worker:"))
                    .map(r -> r.jobId().substring("worker:".length())).sorted().toList();
            assertThat(kept).as("stops kept on " + n + " after 60 casts over the cap").isEqualTo(stoppedOn.get(n));
        }
        assertThat(sum(c, "tandem.jobs.records.expired")).as("casts went early instead").isGreaterThan(0);
        for (int i = 0; i < names; i++) {
            assertThat(WorkerTest.runningOn(c, "s" + i)).isEmpty();
        }
    }
}
