package dev.tandem.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The protocol code reaches time, randomness, threads and the network only through
 * {@link dev.tandem.cluster.runtime.NodeContext}: a grep over the main sources for what the
 * simulator cannot control (and for iteration orders that differ between runs).
 */
class SansIoTest {
    private static final Pattern FORBIDDEN = Pattern.compile("System\\.currentTimeMillis|System\\.nanoTime"
            + "|new Random\\(|ThreadLocalRandom|Math\\.random|Instant\\.now|Thread\\.|Executors?\\b|synchronized"
            + "|identityHashCode|java\\.net\\.|java\\.nio\\.channels|(?<!Linked)HashMap<|(?<!Linked)HashSet<|CompletableFuture");

    @Test
    void mainSources_useOnlyTheNodeContextSeams() throws IOException {
        Path main = Path.of("src/main/java/dev/tandem/discovery/gossip");
        assertThat(main).isDirectory();
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.list(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (FORBIDDEN.matcher(lines.get(i)).find()) {
                        hits.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(hits).isEmpty();
    }
}
