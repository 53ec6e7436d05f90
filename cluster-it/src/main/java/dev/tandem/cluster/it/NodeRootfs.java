package dev.tandem.cluster.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The root filesystem of a container image that runs {@code tandem} and nothing else, for images
 * built {@code FROM scratch} where no registry is reachable:
 * <pre>
 *   /opt/java/...              a jlinked runtime with {@link #RUNTIME_MODULES} only
 *   /lib/x86_64-linux-gnu/...  the shared libraries {@code ldd} lists for the runtime, copied
 *   /lib64/ld-linux-...        (symlinks resolved) to the same absolute paths
 *   /opt/tandem/modules/*.jar  the launcher's module path (cli/target/modules)
 *   /tmp                       empty
 * </pre>
 * {@code jlink} and {@code ldd} run as separate processes: an in-process jlink fails inside a
 * test JVM whose runtime has no jmods (Temurin 25 under Surefire/Failsafe). Linux only, since
 * containers are.
 *
 * <p>Not thread-safe; {@link #build} writes into a directory the caller owns.
 */
public final class NodeRootfs {
    /**
     * The JDK modules a node needs. {@code jdeps} over the launcher's jars names java.base,
     * java.logging (Micrometer, Netty) and jdk.unsupported (Netty); the rest are found by service
     * lookup, which jdeps cannot see: jdk.random for {@code RandomGenerator.of("L64X128MixRandom")}
     * (JDK 17-22; from JDK 23 those generators are in java.base and the module is gone, so modules
     * the JDK lacks are left out), java.management / jdk.management for Micrometer's JVM metrics.
     */
    public static final List<String> RUNTIME_MODULES = List.of("java.base", "java.logging", "jdk.unsupported",
            "jdk.random", "java.management", "jdk.management");
    /** The java launcher inside the image. */
    public static final String JAVA = "/opt/java/bin/java";
    /** The module path inside the image. */
    public static final String MODULE_PATH = "/opt/tandem/modules";

    private static final long TOOL_TIMEOUT_SECONDS = 120;
    private static final Pattern LDD_PATH = Pattern.compile("(/\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");

    private final Path root;

    private NodeRootfs(Path root) {
        this.root = root;
    }

    /**
     * Builds the root filesystem into {@code root}, which must not exist yet.
     *
     * @param javaHome   the JDK whose {@code bin/jlink} links the runtime (its version is the image's)
     * @param modulePath a folder of jars: the launcher's module path
     * @throws IOException           if a file cannot be copied or a tool cannot be started
     * @throws IllegalStateException if jlink or ldd fails (its output is in the message)
     */
    public static NodeRootfs build(Path javaHome, Path modulePath, Path root) throws IOException {
        Objects.requireNonNull(javaHome, "javaHome");
        Objects.requireNonNull(modulePath, "modulePath");
        if (Files.exists(root)) {
            throw new IllegalArgumentException(root + " already exists");
        }
        List<Path> jars;
        try (Stream<Path> s = Files.list(modulePath)) {
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        if (jars.isEmpty()) {
            throw new IllegalArgumentException("no jars in " + modulePath + ": package the cli module first");
        }
        Path runtime = root.resolve("opt/java");
        Files.createDirectories(runtime.getParent());
        Set<String> available = Set.of(run(List.of(javaHome.resolve("bin/java").toString(), "--list-modules"), Map.of())
                .lines().map(l -> l.split("@", 2)[0].strip()).toArray(String[]::new));
        List<String> add = RUNTIME_MODULES.stream().filter(available::contains).toList();
        run(List.of(javaHome.resolve("bin/jlink").toString(), "--add-modules", String.join(",", add),
                "--strip-debug", "--no-man-pages", "--no-header-files", "--output", runtime.toString()), Map.of());

        List<String> lddArgs = new ArrayList<>();
        lddArgs.add("ldd");
        lddArgs.add(runtime.resolve("bin/java").toString());
        try (Stream<Path> s = Files.walk(runtime.resolve("lib"))) {
            s.filter(p -> p.getFileName().toString().endsWith(".so")).sorted().map(Path::toString).forEach(lddArgs::add);
        }
        // The runtime's libraries find libjvm.so only once the launcher has loaded it; tell ldd where it is.
        String runtimeLibs = runtime.resolve("lib") + ":" + runtime.resolve("lib/server");
        for (String lib : libraries(run(lddArgs, Map.of("LD_LIBRARY_PATH", runtimeLibs)))) {
            if (Path.of(lib).startsWith(runtime)) {
                continue; // the runtime's own libraries are already in place
            }
            Path target = root.resolve(lib.substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(Path.of(lib), target, StandardCopyOption.REPLACE_EXISTING); // follows symlinks
        }

        Path modules = root.resolve(MODULE_PATH.substring(1));
        Files.createDirectories(modules);
        for (Path jar : jars) {
            Files.copy(jar, modules.resolve(jar.getFileName()));
        }
        Files.createDirectories(root.resolve("tmp"));
        return new NodeRootfs(root);
    }

    /**
     * The absolute library paths in {@code ldd} output ({@code libc.so.6 => /lib/.../libc.so.6
     * (0x...)} and {@code /lib64/ld-linux-x86-64.so.2 (0x...)}), sorted and without duplicates.
     *
     * @throws IllegalStateException if a library is reported "not found"
     */
    static List<String> libraries(String lddOutput) {
        TreeSet<String> out = new TreeSet<>();
        for (String line : lddOutput.split("\n")) {
            if (line.contains("not found")) {
                throw new IllegalStateException("ldd: a library is missing: " + line.strip());
            }
            Matcher m = LDD_PATH.matcher(line.strip());
            if (m.find()) {
                out.add(Path.of(m.group(1)).normalize().toString());
            }
        }
        return List.copyOf(out);
    }

    /** The folder to put at {@code /} of the image. */
    public Path root() {
        return root;
    }

    /**
     * The container command that runs {@code tandem ARGS...}: the image's java with small-footprint
     * flags, on the image's module path.
     */
    public static List<String> command(List<String> jvmOptions, List<String> tandemArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA);
        cmd.add("-XX:-UsePerfData"); // no hsperfdata files in a scratch image
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xmx96m");
        cmd.addAll(jvmOptions);
        cmd.add("--module-path");
        cmd.add(MODULE_PATH);
        cmd.add("-m");
        cmd.add("dev.tandem.cli/dev.tandem.cli.Tandem");
        cmd.addAll(tandemArgs);
        return List.copyOf(cmd);
    }

    private static String run(List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        Process p = pb.start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish in " + TOOL_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + output);
        }
        return output;
    }
}
