package dev.tandem.cluster.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A Linux network namespace this test creates and deletes, with an IPv6-capable link inside it:
 * a veth pair whose two ends both stay in the namespace ({@code v0} with {@value #ADDRESS}/64,
 * {@code v1} its peer). Nothing in it is connected to the host's interfaces, so multicast sent
 * there cannot leave the machine; processes run in it through {@link #launcher()}.
 *
 * <p>Why not the loopback interface: Linux sends no IPv6 multicast on {@code lo} (measured here:
 * every send fails with "Network is unreachable", also with {@code lo}'s MULTICAST flag on and an
 * {@code ff00::/8} route added), while a veth link carries it and loops it back to listeners on
 * the same host. Needs root (or CAP_SYS_ADMIN) and {@code ip}.
 */
final class NetNamespace implements AutoCloseable {
    /** The address of {@code v0}, from the unique local range fd00::/8. */
    static final String ADDRESS = "fd7a:7464::1";

    private final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    /**
     * Creates the namespace and its link, or aborts (skips) the calling test saying why; under CI
     * ({@code CI} set to anything but {@code false}) a missing capability fails it instead.
     */
    static NetNamespace create(String prefix) throws InterruptedException {
        String name = prefix + "-" + ProcessHandle.current().pid();
        String why = run(List.of("ip", "netns", "add", name));
        if (why != null) {
            unavailable("cannot create a network namespace (" + why + ")");
        }
        NetNamespace ns = new NetNamespace(name);
        try {
            for (List<String> step : List.of(
                    List.of("ip", "-n", name, "link", "set", "lo", "up"),
                    List.of("ip", "-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1"),
                    List.of("ip", "-n", name, "link", "set", "v0", "up"),
                    List.of("ip", "-n", name, "link", "set", "v1", "up"),
                    List.of("ip", "-n", name, "-6", "addr", "add", ADDRESS + "/64", "dev", "v0", "nodad"))) {
                String failed = run(step);
                if (failed != null) {
                    throw new AssertionError(String.join(" ", step) + " failed: " + failed);
                }
            }
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    private static void unavailable(String why) {
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            Assertions.fail("CI=" + ci + " but " + why + "; the IPv6 multicast test needs root and iproute2");
        }
        Assumptions.abort(why + ", so the IPv6 multicast test is skipped; it needs root (or CAP_SYS_ADMIN) and"
                + " iproute2's ip. Set CI=true to make this a failure.");
    }

    /** The command prefix that runs a process inside the namespace. */
    List<String> launcher() {
        return List.of("ip", "netns", "exec", name);
    }

    String name() {
        return name;
    }

    /** Output of {@code command} run inside the namespace, for failure reports. */
    String inside(String... command) throws InterruptedException {
        List<String> cmd = new ArrayList<>(launcher());
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "(timed out)";
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /** Deletes the namespace (its veth pair goes with it). Processes in it must have ended. */
    @Override
    public void close() throws InterruptedException {
        String failed = run(List.of("ip", "netns", "del", name));
        if (failed != null) {
            System.err.println("[cluster-it] could not delete network namespace " + name + ": " + failed);
        }
    }

    /** Runs {@code command}; null if it exited 0, else what went wrong. */
    private static String run(List<String> command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out after 10 s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + (out.isEmpty() ? "" : ": " + out);
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
