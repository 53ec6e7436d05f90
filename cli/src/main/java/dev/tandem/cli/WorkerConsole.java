package dev.tandem.cli;

import dev.tandem.jobs.JobException;
import dev.tandem.jobs.WorkerInfo;
import dev.tandem.jobs.WorkerService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The named-worker commands of the node console: {@code workers}, {@code worker start|send|ask|stop}
 * and {@code whereis}, answering through the console's {@link Output} (text, or one JSON line per
 * answer with {@code --json}). Parsing is separate from running ({@link #parse}), so usage errors
 * are one line and testable without a cluster.
 */
final class WorkerConsole {
    static final String HELP = "workers | worker start TYPE NAME [ARG] | worker send NAME MSG | worker ask NAME MSG"
            + " | worker stop NAME | whereis NAME";
    private static final long ANSWER_TIMEOUT_SECONDS = 30;
    private static final String WORKER_USAGE = "usage: worker start TYPE NAME [ARG] | worker send NAME MSG"
            + " | worker ask NAME MSG | worker stop NAME  (e.g. worker start counter c1; worker ask c1 inc 5)";

    /** A parsed command, or {@link Usage} saying what was wrong. */
    sealed interface Command permits ListWorkers, Start, Send, Ask, Stop, Whereis, Usage {
    }

    record ListWorkers() implements Command {
    }

    record Start(String type, String name, String arg) implements Command {
    }

    record Send(String name, String message) implements Command {
    }

    record Ask(String name, String message) implements Command {
    }

    record Stop(String name) implements Command {
    }

    record Whereis(String name) implements Command {
    }

    record Usage(String message) implements Command {
    }

    private final WorkerService workers;
    private final Output o;

    WorkerConsole(WorkerService workers, Output o) {
        this.workers = workers;
        this.o = o;
    }

    /** Whether {@code word} is one of this console's commands. */
    static boolean handles(String word) {
        return switch (word) {
            case "workers", "worker", "whereis" -> true;
            default -> false;
        };
    }

    /** Parses {@code word} with the rest of its line {@code args} (may be empty). */
    static Command parse(String word, String args) {
        String rest = args.strip();
        return switch (word) {
            case "workers" -> rest.isEmpty() ? new ListWorkers()
                    : new Usage("usage: workers  (lists every worker the live nodes know, and this node's worker types)");
            case "whereis" -> rest.isEmpty() || rest.contains(" ") ? new Usage("usage: whereis NAME  (e.g. whereis c1)")
                    : new Whereis(rest);
            case "worker" -> parseWorker(rest);
            default -> new Usage("not a worker command: '" + word + "'");
        };
    }

    private static Command parseWorker(String rest) {
        String[] w = rest.isEmpty() ? new String[0] : rest.split("\\s+", 2);
        if (w.length == 0) {
            return new Usage(WORKER_USAGE);
        }
        String tail = w.length > 1 ? w[1] : "";
        return switch (w[0]) {
            case "start" -> {
                String[] t = tail.isEmpty() ? new String[0] : tail.split("\\s+", 3);
                yield t.length < 2 ? new Usage("usage: worker start TYPE NAME [ARG]  (e.g. worker start counter c1 100;"
                        + " 'workers' lists the types)") : new Start(t[0], t[1], t.length > 2 ? t[2] : "");
            }
            case "send", "ask" -> {
                String[] t = tail.isEmpty() ? new String[0] : tail.split("\\s+", 2);
                if (t.length < 2) {
                    yield new Usage("usage: worker " + w[0] + " NAME MSG  (e.g. worker " + w[0] + " c1 "
                            + (w[0].equals("ask") ? "get" : "inc 5") + ")");
                }
                yield w[0].equals("send") ? new Send(t[0], t[1]) : new Ask(t[0], t[1]);
            }
            case "stop" -> tail.isEmpty() || tail.contains(" ") ? new Usage("usage: worker stop NAME  (e.g. worker stop c1)")
                    : new Stop(tail);
            default -> new Usage("unknown worker command '" + w[0] + "'; " + WORKER_USAGE);
        };
    }

    /**
     * Parses and runs one command, answering through {@link Output}: text lines for a person, or
     * with {@code --json} one JSON line ({@code {"command":"worker","action":"ask","name":"c1","reply":"6",...}});
     * usage and worker errors are {@code {"command":..., "error": "..."}}.
     */
    void run(String word, String args) {
        Command c = parse(word, args);
        long t0 = System.nanoTime();
        try {
            if (c instanceof Usage u) {
                o.error(word, u.message());
            } else if (c instanceof ListWorkers) {
                List<String> types = workers.workerTypes();
                List<WorkerInfo> all = JobConsole.await(workers.workers(), ANSWER_TIMEOUT_SECONDS);
                List<String> lines = new ArrayList<>();
                lines.add("  worker types on this node: " + String.join(" ", types));
                table(all).forEach(l -> lines.add("  " + l));
                o.answer("workers", lines, Output.fields("types", types, "workers", all.stream().map(WorkerConsole::fields)
                        .toList()));
            } else if (c instanceof Start s) {
                WorkerInfo w = JobConsole.await(workers.startWorker(s.type(), s.name(), s.arg()), ANSWER_TIMEOUT_SECONDS);
                double ms = millisSince(t0);
                Map<String, Object> f = Output.fields("action", "start");
                f.putAll(fields(w));
                f.put("millis", ms);
                o.answer("worker", String.format("  %s started: %s  (%.2f ms)", w.name(), describe(w), ms), f);
            } else if (c instanceof Send s) {
                JobConsole.await(workers.send(s.name(), s.message()), ANSWER_TIMEOUT_SECONDS);
                double ms = millisSince(t0);
                o.answer("worker", String.format("  in %s's mailbox  (%.2f ms)", s.name(), ms),
                        Output.fields("action", "send", "name", s.name(), "millis", ms));
            } else if (c instanceof Ask a) {
                Object reply = JobConsole.await(workers.ask(a.name(), a.message()), ANSWER_TIMEOUT_SECONDS);
                double ms = millisSince(t0);
                o.answer("worker", String.format("  %s  (%s, %.2f ms)", reply, a.name(), ms),
                        Output.fields("action", "ask", "name", a.name(), "reply", reply, "millis", ms));
            } else if (c instanceof Stop s) {
                JobConsole.await(workers.stopWorker(s.name()), ANSWER_TIMEOUT_SECONDS);
                double ms = millisSince(t0);
                o.answer("worker", String.format("  %s stopped on both of its nodes  (%.2f ms)", s.name(), ms),
                        Output.fields("action", "stop", "name", s.name(), "millis", ms));
            } else if (c instanceof Whereis q) {
                Optional<WorkerInfo> w = JobConsole.await(workers.whereis(q.name()), ANSWER_TIMEOUT_SECONDS);
                Map<String, Object> f = Output.fields("name", q.name(), "running", w.isPresent());
                w.ifPresent(i -> f.putAll(fields(i)));
                o.answer("whereis", "  " + w.map(i -> i.name() + ": " + describe(i))
                        .orElse(q.name() + ": not running (no live node holds a running registration of it)"), f);
            }
        } catch (JobException e) {
            o.error(word, String.valueOf(e.getMessage()));
        } catch (IllegalArgumentException e) { // an invalid worker name, before anything is sent
            o.error(word, String.valueOf(e.getMessage()));
        }
    }

    /** One worker's JSON fields: {@code name, type, node, incarnation, epoch, state}. */
    static Map<String, Object> fields(WorkerInfo w) {
        return Output.fields("name", w.name(), "type", w.type(), "node", w.node().name(), "incarnation", w.incarnation(),
                "epoch", w.epoch(), "state", w.state().toString());
    }

    /** {@code counter on b, incarnation 2, epoch 5, RUNNING}. */
    static String describe(WorkerInfo w) {
        return w.type() + " on " + w.node().name() + ", incarnation " + w.incarnation() + ", epoch " + w.epoch() + ", "
                + w.state();
    }

    /** The {@code workers} table: a header and one row per worker, or a line saying there are none. */
    static List<String> table(List<WorkerInfo> all) {
        if (all.isEmpty()) {
            return List.of("no workers (start one with 'worker start TYPE NAME [ARG]')");
        }
        int nameWidth = Math.max(4, all.stream().mapToInt(w -> w.name().length()).max().orElse(4));
        int typeWidth = Math.max(4, all.stream().mapToInt(w -> w.type().length()).max().orElse(4));
        int nodeWidth = Math.max(4, all.stream().mapToInt(w -> w.node().name().length()).max().orElse(4));
        String format = "%-" + nameWidth + "s  %-" + typeWidth + "s  %-" + nodeWidth + "s  %11s  %5s  %s";
        List<String> lines = new ArrayList<>();
        lines.add(String.format(format, "NAME", "TYPE", "NODE", "INCARNATION", "EPOCH", "STATE").stripTrailing());
        for (WorkerInfo w : all) {
            lines.add(String.format(format, w.name(), w.type(), w.node().name(), w.incarnation(), w.epoch(), w.state()));
        }
        return lines;
    }

    private static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
