package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.jobs.CallOptions;
import dev.tandem.jobs.CastOptions;
import dev.tandem.jobs.JobContext;
import dev.tandem.jobs.JobException;
import dev.tandem.jobs.JobHandler;
import dev.tandem.jobs.JobResult;
import dev.tandem.jobs.JobService;
import dev.tandem.jobs.JobStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The console's jobs commands: parsing, one-line errors and what they answer (text, and one JSON
 * line with {@code --json}), against a stand-in JobService.
 */
class JobConsoleTest {
    private static final NodeId A = new NodeId("a", 1);
    private static final NodeId B = new NodeId("b", 1);
    private static final NodeId C = new NodeId("c", 1);

    @Test
    void parse_commandsWithNameAndFreeTextInput() {
        assertThat(JobConsole.parse("call", "square 12")).isEqualTo(new JobConsole.Call("square", "12"));
        assertThat(JobConsole.parse("call", "echo hello  world ")).isEqualTo(new JobConsole.Call("echo", "hello  world"));
        assertThat(JobConsole.parse("call", "echo")).isEqualTo(new JobConsole.Call("echo", ""));
        assertThat(JobConsole.parse("cast", "sleep 5000")).isEqualTo(new JobConsole.Cast("sleep", "5000"));
        assertThat(JobConsole.parse("status", " cast:a:7 ")).isEqualTo(new JobConsole.Status("cast:a:7"));
        assertThat(JobConsole.parse("spread", "100")).isEqualTo(new JobConsole.Spread(100, "echo", "x"));
        assertThat(JobConsole.parse("spread", "10,000 square 3")).isEqualTo(new JobConsole.Spread(10_000, "square", "3"));
        assertThat(JobConsole.parse("jobs", "")).isEqualTo(new JobConsole.Jobs());
        assertThat(JobConsole.handles("spread")).isTrue();
        assertThat(JobConsole.handles("put")).isFalse();
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @CsvSource(delimiter = '|', value = {
        "call   |                 | usage: call NAME [INPUT]",
        "cast   |                 | usage: cast NAME [INPUT]",
        "status |                 | usage: status JOBID",
        "status | a b             | usage: status JOBID",
        "spread |                 | usage: spread N [NAME [INPUT]]",
        "spread | many            | 'many' is not a number",
        "spread | 0               | was 0",
        "spread | 1000001         | was 1000001",
        "jobs   | extra           | usage: jobs",
    })
    void parse_badInput_isAOneLineUsage(String word, String args, String expected) {
        JobConsole.Command c = JobConsole.parse(word, args == null ? "" : args);
        assertThat(c).isInstanceOf(JobConsole.Usage.class);
        String message = ((JobConsole.Usage) c).message();
        assertThat(message).contains(expected).doesNotContain("\n");
    }

    /** Answers like a three-node cluster would: calls alternate over a, b, c; casts get ids. */
    private static final class FakeJobs implements JobService {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        @SuppressWarnings("unchecked")
        public <I, O> CompletableFuture<JobResult<O>> call(String name, I input, CallOptions options) {
            if (!name.equals("echo")) {
                return CompletableFuture.failedFuture(new JobException(JobException.Reason.UNKNOWN_JOB,
                        "no job named '" + name + "' is registered on this node; registered: [echo]"));
            }
            NodeId on = List.of(A, B, C).get(calls.getAndIncrement() % 3);
            return CompletableFuture.completedFuture(new JobResult<>((O) input, on, 1));
        }

        @Override
        public <I> CompletableFuture<String> cast(String name, I input, CastOptions options) {
            return CompletableFuture.completedFuture("a:1:1");
        }

        @Override
        public CompletableFuture<JobStatus> status(String jobId) {
            if (!jobId.equals("a:1:1")) {
                return CompletableFuture.completedFuture(JobStatus.unknown(jobId));
            }
            return CompletableFuture.completedFuture(new JobStatus(jobId, JobStatus.State.DONE, 2, 3, Optional.of(C),
                    Optional.of(C)));
        }

        @Override
        public List<String> handlerNames() {
            return List.of("echo");
        }
    }

    private static String run(String word, String args) {
        return run(word, args, false);
    }

    /** The answer with {@code --json}: checked to be one line, an object starting with its command. */
    private static String json(String word, String args) {
        String out = run(word, args, true);
        assertThat(out.lines()).as("--json: one line per answer: %s", out).hasSize(1);
        assertThat(out).startsWith("{\"command\":\"" + word + "\",").endsWith("}" + System.lineSeparator());
        return out.strip();
    }

    private static String run(String word, String args, boolean json) {
        StringWriter s = new StringWriter();
        MembershipView view = MembershipView.of(3, List.of(new Member(A, NodeAddress.parse("127.0.0.1:1")),
                new Member(B, NodeAddress.parse("127.0.0.1:2")), new Member(C, NodeAddress.parse("127.0.0.1:3"))));
        new JobConsole(new FakeJobs(), () -> view, new Output(new PrintWriter(s, true), json)).run(word, args);
        return s.toString();
    }

    @Test
    void run_printsResultNodeAttemptAndLatency_orTheErrorInOneLine() {
        assertThat(run("call", "echo hi")).matches("(?s)  hi  \\(ran on a, attempt 1, [0-9.]+ ms\\)\\R");
        assertThat(run("call", "nope 1")).isEqualTo("  error: no job named 'nope' is registered on this node; "
                + "registered: [echo]" + System.lineSeparator());
        assertThat(run("cast", "echo x")).startsWith("  job a:1:1 recorded on two nodes (");
        assertThat(run("status", "a:1:1")).contains("a:1:1: DONE, attempt 2 (epoch 3), executor c, ran on c");
        assertThat(run("status", "zzz")).contains("zzz: UNKNOWN");
        assertThat(run("jobs", "")).contains("jobs on this node: echo");
        assertThat(run("spread", "")).startsWith("  error: usage: spread N").hasLineCount(1);
    }

    @Test
    void json_everyAnswerIsOneLineWithItsFields() {
        assertThat(json("call", "echo hi"))
                .matches("\\{\"command\":\"call\",\"job\":\"echo\",\"result\":\"hi\",\"node\":\"a\",\"attempt\":1,"
                        + "\"millis\":[0-9.E-]+}");
        assertThat(json("cast", "echo x"))
                .matches("\\{\"command\":\"cast\",\"job\":\"echo\",\"jobId\":\"a:1:1\",\"millis\":[0-9.E-]+}");
        assertThat(json("status", "a:1:1")).isEqualTo("{\"command\":\"status\",\"jobId\":\"a:1:1\",\"state\":\"DONE\","
                + "\"attempt\":2,\"epoch\":3,\"executor\":\"c\",\"ranOn\":\"c\"}");
        assertThat(json("status", "zzz")).isEqualTo("{\"command\":\"status\",\"jobId\":\"zzz\",\"state\":\"UNKNOWN\","
                + "\"attempt\":0,\"epoch\":0,\"executor\":null,\"ranOn\":null}");
        assertThat(json("jobs", "")).isEqualTo("{\"command\":\"jobs\",\"names\":[\"echo\"]}");
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @CsvSource(delimiter = '|', value = {
        "call   | nope 1   | no job named 'nope' is registered on this node; registered: [echo]",
        "call   |          | usage: call NAME [INPUT]  (e.g. call square 12; 'jobs' lists the names)",
        "status | a b      | usage: status JOBID  (the id 'cast' printed)",
        "jobs   | extra    | usage: jobs  (lists the job names this node has)",
    })
    void json_errorsAreOneLineWithTheCommandAndTheMessage(String word, String args, String message) {
        assertThat(json(word, args == null ? "" : args))
                .isEqualTo("{\"command\":\"" + word + "\",\"error\":\"" + message + "\"}");
    }

    @Test
    void json_spread_countsPerNodeAndTheChiSquareTest_withoutAProgressBar() {
        assertThat(json("spread", "99")).matches("\\{\"command\":\"spread\",\"job\":\"echo\",\"calls\":99,"
                + "\"seconds\":[0-9.E-]+,\"rate\":[0-9.E-]+,\"inFlight\":64,\"counts\":\\{\"a\":33,\"b\":33,\"c\":33},"
                + "\"chiSquare\":0,\"df\":2,\"p\":1,\"even\":true}");
        assertThat(json("spread", "5 nope")).contains("\"calls\":5,\"issued\":")
                .contains("\"error\":\"no job named 'nope' is registered on this node; registered: [echo]\"");
        assertThat(run("spread", "5 nope")).contains("  error after ").contains(" calls: no job named 'nope'");
    }

    @Test
    void spread_printsPerNodeCountsAndTheChiSquarePValue() {
        String out = run("spread", "99");
        assertThat(out).contains("99 calls of echo").contains("per node:  a 33  b 33  c 33")
                .contains("chi-square 0.00 (2 df), p = 1.000: consistent with an even spread");
    }

    @Test
    void spreadLine_flagsASkewedSpread_andListsLiveNodesThatRanNone() {
        Map<String, Integer> counts = new TreeMap<>(Map.of("a", 100, "b", 0, "c", 0));
        assertThat(JobConsole.spreadLine(counts)).contains("a 100  b 0  c 0").contains("NOT an even spread");
        Map<String, Object> f = JobConsole.spreadFields(counts);
        assertThat(f).containsEntry("df", 2).containsEntry("even", false);
        assertThat((Double) f.get("chiSquare")).isCloseTo(200.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat((Double) f.get("p")).isLessThan(1e-40);
        assertThat(JobConsole.spreadFields(Map.of("a", 3))).containsEntry("p", null).containsEntry("even", null);
        MembershipView view = MembershipView.of(1, List.of(new Member(A, NodeAddress.parse("127.0.0.1:1")),
                new Member(B, NodeAddress.parse("127.0.0.1:2"))));
        assertThat(JobConsole.counts(Map.of("a", new AtomicInteger(5)), view)).containsExactly(
                Map.entry("a", 5), Map.entry("b", 0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "jobs-bench --in-flight 0      | --in-flight must be from 1 to 4096, was 0",
        "jobs-bench --calls 0          | --calls must be from 1 to 10000000, was 0",
        "jobs-bench --sync-calls x     | Invalid value for option '--sync-calls': 'x' is not an int",
        "node a --scheduler fastest --secret 0123456789abcdefgh --discovery static --seeds 127.0.0.1:1 "
            + "| no job scheduler strategy named 'fastest'; available: ",
        "node a --console --secret 0123456789abcdefgh | Unknown option: '--console'",
    })
    void badArguments_exit2_withOneLine(String args, String expected) {
        TandemTest.Run r = TandemTest.run(args.strip().split("\\s+"));
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains(expected).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void exampleJobs_rejectBadInputAtTheCaller() {
        JobHandler<String, String> square = new ExampleJobs.Square();
        assertThatThrownBy(() -> square.inputCodec().encode("twelve"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("square takes a whole number (e.g. 'square 12'), was 'twelve'");
        assertThat(square.run(square.inputCodec().decode(square.inputCodec().encode("12")), null)
                .toCompletableFuture().join()).isEqualTo("144");
        assertThatThrownBy(() -> new ExampleJobs.Sleep().inputCodec().encode("-1"))
                .hasMessage("sleep takes a number from 0 to 600000, was -1");
        assertThatThrownBy(() -> new ExampleJobs.Hash().inputCodec().encode("0"))
                .hasMessage("hash takes a number from 1 to 10000000, was 0");
    }

    @Test
    void hash_runsOffTheCallersThread_andStopsWhenCancelled() {
        JobHandler<String, String> hash = new ExampleJobs.Hash();
        JobContext never = context(false);
        assertThat(hash.run("1", never).toCompletableFuture().join())
                .isEqualTo("6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"); // printf 1 | sha256sum
        CompletableFuture<String> cancelled = hash.run("10000000", context(true)).toCompletableFuture();
        Throwable stopped = cancelled.handle((v, e) -> e).join();
        assertThat(stopped).isInstanceOf(java.util.concurrent.CancellationException.class)
                .hasMessageContaining("hash cancelled after 0 rounds");
    }

    private static JobContext context(boolean cancelled) {
        return new JobContext() {
            @Override
            public String jobId() {
                return "t";
            }

            @Override
            public int attempt() {
                return 1;
            }

            @Override
            public NodeId node() {
                return A;
            }

            @Override
            public boolean isCancelled() {
                return cancelled;
            }

            @Override
            public dev.tandem.cluster.runtime.Scheduler scheduler() {
                throw new UnsupportedOperationException();
            }
        };
    }
}
