package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NodeRootfsTest {

    @Test
    void libraries_takesAbsolutePathsOnceAndSkipsTheVdso() {
        String ldd = """
                /opt/rt/bin/java:
                \tlinux-vdso.so.1 (0x00007ffd5a1f2000)
                \tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f0c1a2e0000)
                \tlibjli.so => /opt/rt/bin/../lib/libjli.so (0x00007f0c1a2c0000)
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c1a0df000)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f0c1a305000)
                /opt/rt/lib/libnet.so:
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c1a0df000)
                """;

        assertThat(NodeRootfs.libraries(ldd)).containsExactly("/lib/x86_64-linux-gnu/libc.so.6",
                "/lib/x86_64-linux-gnu/libz.so.1", "/lib64/ld-linux-x86-64.so.2", "/opt/rt/lib/libjli.so");
    }

    @Test
    void libraries_missingLibraryFails() {
        assertThatThrownBy(() -> NodeRootfs.libraries("\tlibfoo.so.1 => not found\n"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("libfoo.so.1");
    }

    @Test
    void command_runsTheLauncherOnTheImageModulePath() {
        List<String> cmd = NodeRootfs.command(List.of("-Dx=1"), List.of("node", "a"));

        assertThat(cmd).startsWith(NodeRootfs.JAVA).contains("-Dx=1")
                .containsSubsequence("--module-path", NodeRootfs.MODULE_PATH, "-m", "dev.tandem.cli/dev.tandem.cli.Tandem",
                        "node", "a");
    }
}
