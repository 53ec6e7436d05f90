package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeId;
import dev.tandem.jobs.JobException;
import dev.tandem.jobs.Worker;
import dev.tandem.jobs.WorkerHandler;
import dev.tandem.jobs.WorkerInfo;
import dev.tandem.jobs.WorkerService;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The console's worker commands: parsing, one-line errors and what they print, against a stand-in
 * WorkerService that runs the real {@code counter} type in memory (the real service on three nodes
 * is {@code TandemNodeWorkersTest}'s).
 */
class WorkerConsoleTest {
    private static final NodeId B = new NodeId("b", 1);
    private static final String NL = System.lineSeparator();

    @Test
    void parse_commands() {
        assertThat(WorkerConsole.parse("workers", "")).isEqualTo(new WorkerConsole.ListWorkers());
        assertThat(WorkerConsole.parse("worker", "start counter c1")).isEqualTo(new WorkerConsole.Start("counter", "c1", ""));
        assertThat(WorkerConsole.parse("worker", " start  counter c1  100 ")).isEqualTo(
                new WorkerConsole.Start("counter", "c1", "100"));
        assertThat(WorkerConsole.parse("worker", "send c1 inc 5")).isEqualTo(new WorkerConsole.Send("c1", "inc 5"));
        assertThat(WorkerConsole.parse("worker", "ask c1 get")).isEqualTo(new WorkerConsole.Ask("c1", "get"));
        assertThat(WorkerConsole.parse("worker", "stop c1")).isEqualTo(new WorkerConsole.Stop("c1"));
        assertThat(WorkerConsole.parse("whereis", " c1 ")).isEqualTo(new WorkerConsole.Whereis("c1"));
        assertThat(WorkerConsole.handles("whereis")).isTrue();
        assertThat(WorkerConsole.handles("worker")).isTrue();
        assertThat(WorkerConsole.handles("call")).isFalse();
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @CsvSource(delimiter = '|', value = {
        "workers | x                | usage: workers",
        "worker  |                  | usage: worker start TYPE NAME [ARG]",
        "worker  | start            | usage: worker start TYPE NAME [ARG]",
        "worker  | start counter    | usage: worker start TYPE NAME [ARG]",
        "worker  | send c1          | usage: worker send NAME MSG",
        "worker  | ask              | usage: worker ask NAME MSG",
        "worker  | stop             | usage: worker stop NAME",
        "worker  | stop a b         | usage: worker stop NAME",
        "worker  | kill c1          | unknown worker command 'kill'",
        "whereis |                  | usage: whereis NAME",
        "whereis | a b              | usage: whereis NAME",
    })
    void parse_badInput_isAOneLineUsage(String word, String args, String expected) {
        WorkerConsole.Command c = WorkerConsole.parse(word, args == null ? "" : args);
        assertThat(c).isInstanceOf(WorkerConsole.Usage.class);
        assertThat(((WorkerConsole.Usage) c).message()).contains(expected).doesNotContain("\n");
    }

    /** One node's view of a cluster, in memory: every worker runs "on b" and answers at once. */
    private static final class FakeWorkers implements WorkerService {
        private final Map<String, WorkerHandler<String, String, String>> types = Map.of("counter", new ExampleWorkers.Counter());
        private final Map<String, WorkerInfo> infos = new TreeMap<>();
        private final Map<String, Worker<String, String>> instances = new TreeMap<>();

        @Override
        @SuppressWarnings("unchecked")
        public <A> CompletableFuture<WorkerInfo> startWorker(String type, String name, A arg) {
            WorkerHandler<String, String, String> h = types.get(type);
            if (h == null) {
                return CompletableFuture.failedFuture(new JobException(JobException.Reason.UNKNOWN_JOB,
                        "no worker type '" + type + "' is registered on this node; registered: [counter]"));
            }
            WorkerInfo old = infos.get(name);
            if (old != null && old.state() == WorkerInfo.State.RUNNING) {
                return CompletableFuture.failedFuture(new JobException(JobException.Reason.ALREADY_STARTED, "worker '"
                        + name + "' (type counter) is already running on b#1 (incarnation 1, epoch 2)"));
            }
            try {
                String a = h.argCodec().decode(h.argCodec().encode((String) arg)); // as it would travel
                WorkerInfo info = new WorkerInfo(name, type, B, old == null ? 1 : old.incarnation() + 1, 2,
                        WorkerInfo.State.RUNNING);
                instances.put(name, h.start(a, null));
                infos.put(name, info);
                return CompletableFuture.completedFuture(info);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(new JobException(JobException.Reason.FAILED, e.getMessage()));
            }
        }

        @Override
        public CompletableFuture<Optional<WorkerInfo>> whereis(String name) {
            return CompletableFuture.completedFuture(Optional.ofNullable(infos.get(name))
                    .filter(i -> i.state() == WorkerInfo.State.RUNNING));
        }

        @Override
        public <M> CompletableFuture<Void> send(String name, M message) {
            return this.<M, Object>ask(name, message).thenApply(r -> null);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <M, R> CompletableFuture<R> ask(String name, M message, Duration timeout) {
            Worker<String, String> w = instances.get(name);
            if (w == null) {
                return CompletableFuture.failedFuture(new JobException(JobException.Reason.NO_SUCH_WORKER,
                        "no worker named '" + name + "' runs"));
            }
            try {
                types.get("counter").messageCodec().encode((String) message); // refused at the sender, as the node does
                return (CompletableFuture<R>) w.handle((String) message, null).toCompletableFuture();
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(new JobException(JobException.Reason.FAILED, e.getMessage()));
            }
        }

        @Override
        public <M, R> CompletableFuture<R> ask(String name, M message) {
            return ask(name, message, Duration.ofSeconds(5));
        }

        @Override
        public CompletableFuture<Void> stopWorker(String name) {
            if (instances.remove(name) == null) {
                return CompletableFuture.failedFuture(new JobException(JobException.Reason.NO_SUCH_WORKER,
                        "no worker named '" + name + "' runs"));
            }
            WorkerInfo i = infos.get(name);
            infos.put(name, new WorkerInfo(name, i.type(), i.node(), i.incarnation(), i.epoch() + 1, WorkerInfo.State.STOPPED));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<List<WorkerInfo>> workers() {
            return CompletableFuture.completedFuture(List.copyOf(infos.values()));
        }

        @Override
        public List<String> workerTypes() {
            return List.of("counter");
        }
    }

    private final FakeWorkers service = new FakeWorkers();

    private String run(String word, String args) {
        return run(word, args, false);
    }

    /** The answer with {@code --json}: checked to be one line, an object starting with its command. */
    private String json(String word, String args) {
        String out = run(word, args, true);
        assertThat(out.lines()).as("--json: one line per answer: %s", out).hasSize(1);
        assertThat(out).startsWith("{\"command\":\"" + word + "\",").endsWith("}" + NL);
        return out.strip();
    }

    private String run(String word, String args, boolean json) {
        StringWriter s = new StringWriter();
        new WorkerConsole(service, new Output(new PrintWriter(s, true), json)).run(word, args);
        return s.toString();
    }

    @Test
    void run_startAskSendStopWhereisWorkers_andOneLineErrors() {
        assertThat(run("workers", "")).isEqualTo("  worker types on this node: counter" + NL
                + "  no workers (start one with 'worker start TYPE NAME [ARG]')" + NL);
        assertThat(run("worker", "start counter c1 100"))
                .matches("  c1 started: counter on b, incarnation 1, epoch 2, RUNNING  \\([0-9.]+ ms\\)\\R");
        assertThat(run("worker", "start counter c1")).isEqualTo("  error: worker 'c1' (type counter) is already running on "
                + "b#1 (incarnation 1, epoch 2)" + NL);
        assertThat(run("worker", "start gauge g1")).isEqualTo("  error: no worker type 'gauge' is registered on this node; "
                + "registered: [counter]" + NL);
        assertThat(run("worker", "send c1 inc 5")).matches("  in c1's mailbox  \\([0-9.]+ ms\\)\\R");
        assertThat(run("worker", "ask c1 inc")).matches("  106  \\(c1, [0-9.]+ ms\\)\\R");
        assertThat(run("worker", "ask c1 get")).startsWith("  106  (c1, ");
        assertThat(run("worker", "ask c1 dec 1")).isEqualTo("  error: a counter takes 'inc [N]' or 'get', was 'dec 1'" + NL);
        assertThat(run("worker", "ask c9 get")).isEqualTo("  error: no worker named 'c9' runs" + NL);
        assertThat(run("whereis", "c1")).isEqualTo("  c1: counter on b, incarnation 1, epoch 2, RUNNING" + NL);
        assertThat(run("workers", "")).isEqualTo("  worker types on this node: counter" + NL
                + "  NAME  TYPE     NODE  INCARNATION  EPOCH  STATE" + NL
                + "  c1    counter  b               1      2  RUNNING" + NL);
        assertThat(run("worker", "stop c1")).matches("  c1 stopped on both of its nodes  \\([0-9.]+ ms\\)\\R");
        assertThat(run("worker", "stop c1")).isEqualTo("  error: no worker named 'c1' runs" + NL);
        assertThat(run("whereis", "c1")).isEqualTo("  c1: not running (no live node holds a running registration of it)" + NL);
        assertThat(run("workers", "")).contains("  c1    counter  b               1      3  STOPPED");
        assertThat(run("worker", "")).startsWith("  error: usage: worker start TYPE NAME [ARG]").doesNotContain("\n  ");
    }

    @Test
    void json_everyAnswerIsOneLineWithItsFields_andErrorsCarryTheMessage() {
        assertThat(json("workers", "")).isEqualTo("{\"command\":\"workers\",\"types\":[\"counter\"],\"workers\":[]}");
        assertThat(json("worker", "start counter c1 100")).matches("\\{\"command\":\"worker\",\"action\":\"start\","
                + "\"name\":\"c1\",\"type\":\"counter\",\"node\":\"b\",\"incarnation\":1,\"epoch\":2,\"state\":\"RUNNING\","
                + "\"millis\":[0-9.E-]+}");
        assertThat(json("worker", "start counter c1")).isEqualTo("{\"command\":\"worker\",\"error\":\"worker 'c1' "
                + "(type counter) is already running on b#1 (incarnation 1, epoch 2)\"}");
        assertThat(json("worker", "send c1 inc 5"))
                .matches("\\{\"command\":\"worker\",\"action\":\"send\",\"name\":\"c1\",\"millis\":[0-9.E-]+}");
        assertThat(json("worker", "ask c1 get"))
                .matches("\\{\"command\":\"worker\",\"action\":\"ask\",\"name\":\"c1\",\"reply\":\"105\",\"millis\":[0-9.E-]+}");
        assertThat(json("whereis", "c1")).isEqualTo("{\"command\":\"whereis\",\"name\":\"c1\",\"running\":true,"
                + "\"type\":\"counter\",\"node\":\"b\",\"incarnation\":1,\"epoch\":2,\"state\":\"RUNNING\"}");
        assertThat(json("workers", "")).isEqualTo("{\"command\":\"workers\",\"types\":[\"counter\"],\"workers\":["
                + "{\"name\":\"c1\",\"type\":\"counter\",\"node\":\"b\",\"incarnation\":1,\"epoch\":2,\"state\":\"RUNNING\"}]}");
        assertThat(json("worker", "stop c1"))
                .matches("\\{\"command\":\"worker\",\"action\":\"stop\",\"name\":\"c1\",\"millis\":[0-9.E-]+}");
        assertThat(json("whereis", "c1")).isEqualTo("{\"command\":\"whereis\",\"name\":\"c1\",\"running\":false}");
        assertThat(json("whereis", "")).isEqualTo("{\"command\":\"whereis\",\"error\":\"usage: whereis NAME  (e.g. whereis c1)\"}");
    }

    @Test
    void counter_countsFromItsStartArgument_andRejectsBadInputAtTheSender() {
        ExampleWorkers.Counter counter = new ExampleWorkers.Counter();
        Worker<String, String> w = counter.start(counter.argCodec().decode(counter.argCodec().encode("")), null);
        assertThat(w.handle("inc", null).toCompletableFuture().join()).isEqualTo("1");
        assertThat(w.handle("inc -1,000", null).toCompletableFuture().join()).isEqualTo("-999");
        assertThat(w.handle("get", null).toCompletableFuture().join()).isEqualTo("-999");
        assertThat(counter.start("40", null).handle("inc 2", null).toCompletableFuture().join()).isEqualTo("42");
        assertThatThrownBy(() -> counter.argCodec().encode("ten"))
                .hasMessage("counter takes a whole number (e.g. 'counter 12'), was 'ten'");
        assertThatThrownBy(() -> counter.messageCodec().encode("inc 10000000000000"))
                .hasMessage("inc takes a number from -1000000000000 to 1000000000000, was 10000000000000");
        assertThatThrownBy(() -> counter.messageCodec().encode("reset"))
                .hasMessage("a counter takes 'inc [N]' or 'get', was 'reset'");
    }
}
