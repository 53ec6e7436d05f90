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
 */
final class CpuWindow {
    private final Map<String, ProcessHandle> processes;
    private final Map<String, Long> startNanos = new LinkedHashMap<>();
    private final Map<String, Long> endNanos = new LinkedHashMap<>();
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
            sample(startNanos);
            sleepUntil(t0 + delayNanos + lengthNanos);
            closedAt = System.nanoTime();
            stealEnd = machineTicks();
            sample(endNanos);
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
        return Optional.of(new Figure(cpu, closedAt - openedAt, steal));
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

    private void sample(Map<String, Long> into) {
        processes.forEach((name, p) -> p.info().totalCpuDuration().ifPresent(d -> into.put(name, d.toNanos())));
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
     */
    record Figure(Map<String, Long> cpuNanos, long windowNanos, double stealShare) {
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
            return new Figure(cpu, window, steal);
        }
    }
}
