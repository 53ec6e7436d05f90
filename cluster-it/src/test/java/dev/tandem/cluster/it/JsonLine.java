package dev.tandem.cluster.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the one-line JSON objects {@code tandem node --json} prints (objects, arrays, strings,
 * numbers, booleans, null). Numbers without a fraction or exponent are {@code Long}, others
 * {@code Double}.
 */
final class JsonLine {
    private final String s;
    private int i;

    private JsonLine(String s) {
        this.s = s;
    }

    /** The object on this line, or empty if the line is not one JSON object. */
    static Optional<Map<String, Object>> parse(String line) {
        String t = line.strip();
        if (!t.startsWith("{")) {
            return Optional.empty();
        }
        try {
            JsonLine p = new JsonLine(t);
            Object v = p.value();
            p.ws();
            if (p.i != t.length() || !(v instanceof Map<?, ?>)) {
                return Optional.empty();
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            return Optional.of(m);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    static long num(Map<String, ?> o, String key) {
        Object v = o.get(key);
        if (!(v instanceof Number n)) {
            throw new AssertionError("no number '" + key + "' in " + o);
        }
        return n.longValue();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Map<String, ?> o, String key) {
        return (Map<String, Object>) o.get(key);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, ?> o, String key) {
        return (List<Object>) o.get(key);
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private Object value() {
        ws();
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            case '[' -> {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect(']');
                        return l;
                    }
                }
            }
            case '"' -> {
                return string();
            }
            default -> {
                if (s.startsWith("true", i)) {
                    i += 4;
                    return true;
                }
                if (s.startsWith("false", i)) {
                    i += 5;
                    return false;
                }
                if (s.startsWith("null", i)) {
                    i += 4;
                    return null;
                }
                int start = i;
                while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                String n = s.substring(start, i);
                if (n.isEmpty()) {
                    throw new IllegalArgumentException("unexpected '" + c + "' at " + start);
                }
                return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
            }
        }
    }

    private void expect(char c) {
        if (s.charAt(i) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + i);
        }
        i++;
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
    }
}
