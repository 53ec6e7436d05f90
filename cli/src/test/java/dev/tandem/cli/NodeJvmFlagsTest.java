package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeJvmFlagsTest {

    @Test
    void noUserOptions_getTheDefaults() {
        assertThat(NodeJvmFlags.before(null)).isEqualTo(NodeJvmFlags.DEFAULT);
        assertThat(NodeJvmFlags.before("  ")).isEqualTo(NodeJvmFlags.DEFAULT);
        assertThat(NodeJvmFlags.before("-Xlog:gc -Dx=1 -XX:-UseG1GC")).isEqualTo(NodeJvmFlags.DEFAULT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-XX:+UseParallelGC", "-Xlog:gc -XX:+UseZGC", "-XX:+UseSerialGC -Dy=2", "-XX:+UseG1GC"})
    void userOptionsThatChooseACollector_replaceTheDefaults(String extra) {
        // A JVM given two collectors refuses to start.
        assertThat(NodeJvmFlags.before(extra)).isEmpty();
    }
}
