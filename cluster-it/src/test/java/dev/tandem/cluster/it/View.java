package dev.tandem.cluster.it;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One membership view as {@code tandem node} prints it without {@code --json}:
 * {@code view v5: live a b; down c(DEAD)}.
 */
record View(long version, SortedSet<String> live, SortedMap<String, String> down) {
    private static final Pattern LINE = Pattern.compile("^view v(\\d+): live ([^;]*)(?:; down (.*))?$");
    private static final Pattern DOWN = Pattern.compile("([^\\s(]+)\\((\\w+)\\)");

    static Optional<View> parse(String line) {
        if (line.startsWith("{\"event\":\"view\"")) {
            return JsonLine.parse(line).map(View::fromJson);
        }
        Matcher m = LINE.matcher(line.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        SortedSet<String> live = new TreeSet<>(Arrays.asList(m.group(2).strip().split("\\s+")));
        live.remove("");
        SortedMap<String, String> down = new TreeMap<>();
        if (m.group(3) != null) {
            Matcher d = DOWN.matcher(m.group(3));
            while (d.find()) {
                down.put(d.group(1), d.group(2));
            }
        }
        return Optional.of(new View(Long.parseLong(m.group(1)), Collections.unmodifiableSortedSet(live),
                Collections.unmodifiableSortedMap(down)));
    }

    /** {@code {"event":"view","version":5,"live":["a","b"],"down":["c:DEAD"]}}, as {@code --json} prints it. */
    private static View fromJson(Map<String, Object> o) {
        SortedSet<String> live = new TreeSet<>();
        JsonLine.list(o, "live").forEach(n -> live.add((String) n));
        SortedMap<String, String> down = new TreeMap<>();
        for (Object d : JsonLine.list(o, "down")) {
            String[] nameStatus = ((String) d).split(":", 2);
            down.put(nameStatus[0], nameStatus.length > 1 ? nameStatus[1] : "");
        }
        return new View(JsonLine.num(o, "version"), Collections.unmodifiableSortedSet(live),
                Collections.unmodifiableSortedMap(down));
    }

    boolean isDown(String name, String status) {
        return status.equals(down.get(name));
    }

    @Override
    public String toString() {
        return "v" + version + " live " + live + (down.isEmpty() ? "" : " down " + down);
    }

}
