package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class DockerAvailabilityTest {

    @Test
    void available_runs() {
        assertThatCode(() -> DockerAvailability.require(true, "true", "")).doesNotThrowAnyException();
    }

    @Test
    void missingOutsideCi_skipsSayingHowToEnable() {
        for (String ci : new String[] {null, "", "false"}) {
            assertThatThrownBy(() -> DockerAvailability.require(false, ci, ""))
                    .isInstanceOf(TestAbortedException.class).hasMessageContaining("dockerd").hasMessageContaining("CI=true");
        }
    }

    @Test
    void missingInCi_fails() {
        assertThatThrownBy(() -> DockerAvailability.require(false, "true", ": no socket"))
                .isInstanceOf(AssertionFailedError.class).hasMessageContaining("CI=true").hasMessageContaining("no socket");
    }
}
