package dev.tandem.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU time (user + system, all threads) that some processes spend in a window of wall-clock
 * time that opens a while from now — the measured seconds of a benchmark figure, after its
 * warm-up. Throughput on a shared 2-core machine moves by a third between identical runs; the CPU
 * an operation costs moves less, and says which process pays it and whether the machine was
 * busy or waiting.
 *
 * <p>Read through {@link ProcessHandle.Info#totalCpuDuration()}: on Linux the kernel's tick count
 * (10 ms), so a 5 s window is good to about 1 %. Where the platform does not report CPU time the
 * window reports nothing.
 *
 * <p>Of that time, the share of the JIT compiler threads ({@code C1/C2 CompilerThread*}, read from
 * {@code /proc/<pid>/task}, Linux only): code still being compiled while a figure is measured
 * takes CPU from the code measured, on 2 cores a good part of it, and runs slower until it is
 * compiled, so a figure with compiler time in its window was measured on a JVM not yet warm.
 */
final class CpuWindow {
    private final Map<String, ProcessHandle> processes;
    private final Map<String, Long> startNanos = new LinkedHashMap<>();
    private final Map<String, Long> endNanos = new LinkedHashMap<>();
    private final Map<String, Long> jitStartNanos = new LinkedHashMap<>();
    private final Map<String, Long> jitEndNanos = new LinkedHashMap<>();
    private final Thread sampler;
    private volatile long openedAt;
    private volatile long closedAt;
    private volatile long[] stealStart;
    private volatile long[] stealEnd;

    private CpuWindow(Map<String, ProcessHandle> processes, long delayNanos, long lengthNanos) {
        this.processes = processes;
        long t0 = System.nanoTime();
        this.sampler = new Thread(() -> {
            sleepUntil(t0 + delayNanos);
            openedAt = System.nanoTime();
            stealStart = machineTicks();
            sample(startNanos, jitStartNanos);
            sleepUntil(t0 + delayNanos + lengthNanos);
            closedAt = System.nanoTime();
            stealEnd = machineTicks();
            sample(endNanos, jitEndNanos);
        }, "bench-cpu-window");
        sampler.setDaemon(true);
    }

    /** Opens in {@code delay}, closes {@code length} later; {@code processes} by display name, in order. */
    static CpuWindow start(Map<String, ProcessHandle> processes, Duration delay, Duration length) {
        CpuWindow w = new CpuWindow(new LinkedHashMap<>(processes), delay.toNanos(), length.toNanos());
        w.sampler.start();
        return w;
    }

    /** Waits for the window to close; empty if some process's CPU time could not be read. */
    Optional<Figure> await() throws InterruptedException {
        sampler.join();
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (String name : processes.keySet()) {
            Long s = startNanos.get(name);
            Long e = endNanos.get(name);
            if (s == null || e == null) {
                return Optional.empty();
            }
            cpu.put(name, e - s);
        }
        double steal = Double.NaN;
        long[] s0 = stealStart;
        long[] s1 = stealEnd;
        if (s0 != null && s1 != null && s1[1] > s0[1]) {
            steal = (s1[0] - s0[0]) / (double) (s1[1] - s0[1]);
        }
        Map<String, Long> jit = new LinkedHashMap<>();
        for (String name : processes.keySet()) {
            Long s = jitStartNanos.get(name);
            Long e = jitEndNanos.get(name);
            if (s == null || e == null) {
                jit = Map.of(); // not readable on this platform: reported as unknown
                break;
            }
            jit.put(name, e - s);
        }
        return Optional.of(new Figure(cpu, closedAt - openedAt, steal, jit));
    }

    /**
     * The machine's CPU ticks from the first line of {@code /proc/stat}: {steal, total}, or null
     * where there is no such file. Steal is the time a virtual machine's CPUs were ready to run but
     * the host ran something else: a run with steal measured a busier host, not slower code.
     */
    private static long[] machineTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            if (!f[0].equals("cpu") || f.length < 9) {
                return null;
            }
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user .. steal; guest time is counted in user
                total += Long.parseLong(f[i]);
            }
            return new long[] {Long.parseLong(f[8]), total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void sample(Map<String, Long> into, Map<String, Long> jitInto) {
        processes.forEach((name, p) -> {
            p.info().totalCpuDuration().ifPresent(d -> into.put(name, d.toNanos()));
            long jit = compilerThreadsNanos(p.pid());
            if (jit >= 0) {
                jitInto.put(name, jit);
            }
        });
    }

    /** Clock ticks of a Linux task's {@code stat} line, in nanoseconds (USER_HZ is 100 on Linux). */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /**
     * CPU time (user + system) of the JIT compiler threads of process {@code pid} so far, or -1 where
     * {@code /proc/<pid>/task} cannot be read. A compiler thread that exited took its time with it;
     * HotSpot keeps them for the JVM's life unless {@code -XX:+UseDynamicNumberOfCompilerThreads}
     * retires idle ones (the default), so an idle window can read slightly low, never high.
     */
    static long compilerThreadsNanos(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long ticks = 0;
        try (var dir = Files.newDirectoryStream(tasks)) {
            for (Path t : dir) {
                try {
                    String comm = Files.readString(t.resolve("comm")).strip();
                    if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) {
                        continue;
                    }
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading: nothing to add
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return ticks * NANOS_PER_TICK;
    }

    private static void sleepUntil(long deadline) {
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left); // a timed wait for a fixed instant, not for an effect
        }
    }

    /**
     * CPU nanoseconds per process over {@code windowNanos} of wall-clock time.
     *
     * @param cpuNanos    by process name, in the order given
     * @param windowNanos the window's length as measured
     * @param stealShare  the share of the machine's CPU time stolen by the host in the window
     *                    (0-1), NaN where unknown
     * @param jitNanos    of {@code cpuNanos}, the JIT compiler threads', by process; empty where unknown
     */
    record Figure(Map<String, Long> cpuNanos, long windowNanos, double stealShare, Map<String, Long> jitNanos) {
        /** CPU nanoseconds of the JIT compilers of all processes; -1 where unknown. */
        long jitTotalNanos() {
            return jitNanos.isEmpty() ? -1 : jitNanos.values().stream().mapToLong(Long::longValue).sum();
        }

        long totalNanos() {
            return cpuNanos.values().stream().mapToLong(Long::longValue).sum();
        }

        /** CPUs kept busy on average: 1.0 = one core all the time. */
        double busyCpus() {
            return totalNanos() / (double) windowNanos;
        }

        /** Microseconds of CPU per operation, of all processes, given the operations in the window. */
        double microsPerOp(double opsInWindow) {
            return totalNanos() / 1e3 / opsInWindow;
        }

        /** This window and {@code o} as one (a figure measured in slices): times added, steal weighted by length. */
        Figure plus(Figure o) {
            Map<String, Long> cpu = new LinkedHashMap<>(cpuNanos);
            o.cpuNanos.forEach((name, nanos) -> cpu.merge(name, nanos, Long::sum));
            long window = windowNanos + o.windowNanos;
            double steal = Double.isNaN(stealShare) || Double.isNaN(o.stealShare) ? Double.NaN
                    : (stealShare * windowNanos + o.stealShare * o.windowNanos) / window;
            Map<String, Long> jit = new LinkedHashMap<>();
            if (!jitNanos.isEmpty() && !o.jitNanos.isEmpty()) {
                jit.putAll(jitNanos);
                o.jitNanos.forEach((name, nanos) -> jit.merge(name, nanos, Long::sum));
            }
            return new Figure(cpu, window, steal, jit);
        }
    }
}
