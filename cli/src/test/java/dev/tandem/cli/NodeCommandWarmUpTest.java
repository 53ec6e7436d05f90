package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tandem node} warms up before it joins unless told {@code --no-warm-up}, and its
 * {@code started} event says what the warm-up did. {@code WarmUpTest} (node) covers the rehearsal.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeCommandWarmUpTest {
    private static final String SECRET = "tandem-test-secret-0123";

    private final List<InProcessNode> started = new ArrayList<>();

    @AfterEach
    void quitAll() {
        InProcessNode.quitAll(started);
    }

    private InProcessNode node(String name, String... extra) {
        List<String> args = new ArrayList<>(List.of("--bind", "127.0.0.1:0", "--discovery", "static",
                "--seeds", "127.0.0.1:1", "--secret", SECRET));
        args.addAll(List.of(extra));
        InProcessNode n = InProcessNode.start(name, args.toArray(String[]::new));
        started.add(n);
        return n;
    }

    @Test
    void byDefault_theNodeRehearsesBeforeItStarts_andSaysSo() {
        InProcessNode a = node("a");
        assertThat(a.started()).contains("\"warmUp\":\"rehearsed loading 100,000 keys and a join on loopback in ");
        assertThat(a.command("info")).contains("\"keysAsOwner\":0"); // none of the rehearsal's keys
    }

    @Test
    void noWarmUp_startsAtOnce_withoutAWarmUpField() {
        InProcessNode a = node("a", "--no-warm-up");
        assertThat(a.started()).doesNotContain("warmUp");
    }
}
