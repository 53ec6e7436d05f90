package dev.tandem.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the node console answers: text for a person, or with {@code --json} exactly one JSON line
 * per command ({@code {"command":"get","key":"k","found":true,...}}) and per event, so a script can
 * read the answers line by line. Errors are {@code {"command":..., "error": "..."}}. Thread-safe
 * (view events arrive on the node's thread while the console answers).
 */
final class Output {
    private final PrintWriter out;
    private final boolean json;

    Output(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    boolean json() {
        return json;
    }

    PrintWriter writer() {
        return out;
    }

    /** The answer to {@code command}: {@code textLines} for a person, {@code fields} in JSON. */
    synchronized void answer(String command, List<String> textLines, Map<String, ?> fields) {
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("command", command);
            o.putAll(fields);
            out.println(Json.write(o));
        } else {
            textLines.forEach(out::println);
        }
        out.flush();
    }

    void answer(String command, String textLine, Map<String, ?> fields) {
        answer(command, List.of(textLine), fields);
    }

    /** An event (not the answer to a command): {@code {"event": name, ...fields}} in JSON. */
    synchronized void event(String name, String textLine, Map<String, ?> fields) {
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("event", name);
            o.putAll(fields);
            out.println(Json.write(o));
        } else {
            out.println(textLine);
        }
        out.flush();
    }

    void error(String command, String message) {
        answer(command, "  error: " + message, Map.of("error", message));
    }

    /** A line that is only for a person (help, prompts); not printed with {@code --json}. */
    synchronized void text(String line) {
        if (!json) {
            out.println(line);
            out.flush();
        }
    }

    static Map<String, Object> fields(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
