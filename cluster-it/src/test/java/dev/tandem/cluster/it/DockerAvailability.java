package dev.tandem.cluster.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * Whether container tests can run. Outside CI a missing Docker skips them with a message saying
 * how to enable them; in CI ({@code CI} set to anything but {@code false}) it is a failure, since
 * {@code .ci/run} installs and starts Docker itself.
 */
final class DockerAvailability {
    private DockerAvailability() {
    }

    /** Returns if Docker answers; else aborts (skips) the calling test, or fails it under CI. */
    static void require() {
        boolean available;
        String why = "";
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
            why = ": " + e;
        }
        require(available, System.getenv("CI"), why);
    }

    static void require(boolean available, String ci, String why) {
        if (available) {
            return;
        }
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            Assertions.fail("CI=" + ci + " but Docker is not available" + why
                    + "; .ci/run installs docker.io and starts dockerd before the tests");
        }
        Assumptions.abort("Docker is not available" + why + ", so the container tests are skipped. To run them, "
                + "start a Docker daemon (apt-get install -y docker.io; nohup setsid dockerd >/tmp/dockerd.log 2>&1 &) "
                + "or run .ci/run; set CI=true to make a missing Docker a failure.");
    }
}
