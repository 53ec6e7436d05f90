package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CpuWindowTest {

    @Test
    void compilerThreadsTime_ofThisJvm_isReadAndCountedInTheWindowsFigure() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux /proc only");
        long pid = ProcessHandle.current().pid();
        long before = CpuWindow.compilerThreadsNanos(pid);
        assertThat(before).isGreaterThanOrEqualTo(0);
        CpuWindow w = CpuWindow.start(Map.of("self", ProcessHandle.current()), Duration.ZERO, Duration.ofMillis(50));
        Optional<CpuWindow.Figure> f = w.await();
        assertThat(f).isPresent();
        assertThat(f.get().jitNanos()).containsOnlyKeys("self");
        assertThat(f.get().jitTotalNanos()).isBetween(0L, f.get().cpuNanos().get("self") + 20_000_000L);
    }

    @Test
    void aProcessThatIsNotThere_readsAsUnknown() {
        assertThat(CpuWindow.compilerThreadsNanos(Long.MAX_VALUE)).isEqualTo(-1);
    }
}
