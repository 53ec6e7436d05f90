package dev.tandem.cluster.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The {@code FROM scratch} node image, built once per test JVM from {@link NodeRootfs} with a
 * Dockerfile builder (a Dockerfile on disk would make the daemon try to pull {@code scratch}).
 * Tagged uniquely and labelled {@code dev.tandem.it=true} besides Testcontainers' own
 * {@code org.testcontainers=true}; {@link #remove()} deletes it (Ryuk, which would, is off).
 */
final class NodeImage {
    static final String LABEL = "dev.tandem.it";

    private static NodeImage shared;

    final String name;
    final long buildMillis;

    private NodeImage(String name, long buildMillis) {
        this.name = name;
        this.buildMillis = buildMillis;
    }

    /** Builds the image on first use; later calls return the same one. */
    static synchronized NodeImage shared() throws IOException {
        if (shared == null) {
            shared = build();
        }
        return shared;
    }

    /** Removes the shared image, if one was built. */
    static synchronized void removeShared() {
        if (shared != null) {
            shared.remove();
            shared = null;
        }
    }

    private static NodeImage build() throws IOException {
        long t0 = System.nanoTime();
        Path modules = Path.of(property("tandem.it.modules"));
        Path work = Path.of(property("tandem.it.work"));
        Files.createDirectories(work);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        NodeRootfs rootfs = NodeRootfs.build(Path.of(System.getProperty("java.home")), modules,
                work.resolve("rootfs-" + tag));
        String name = "tandem-node-it:" + tag;
        new ImageFromDockerfile(name, false)
                .withDockerfileFromBuilder(b -> b.from("scratch").copy("rootfs/", "/").label(LABEL, "true").build())
                .withFileFromPath("rootfs", rootfs.root())
                .get();
        deleteTree(rootfs.root()); // 45 MB, now inside the image
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[cluster-it] built image " + name + " in " + millis + " ms");
        return new NodeImage(name, millis);
    }

    private void remove() {
        try {
            DockerClientFactory.instance().client().removeImageCmd(name).withForce(true).exec();
        } catch (RuntimeException e) {
            System.err.println("[cluster-it] could not remove image " + name + ": " + e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String property(String key) {
        String v = System.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("system property " + key + " is not set; run through Maven (mvn verify)");
        }
        return v;
    }
}
