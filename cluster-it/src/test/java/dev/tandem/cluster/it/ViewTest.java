package dev.tandem.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ViewTest {

    @Test
    void parse_liveAndDown() {
        View v = View.parse("view v5: live a b; down c(DEAD) d(LEFT)").orElseThrow();

        assertThat(v.version()).isEqualTo(5);
        assertThat(v.live()).containsExactly("a", "b");
        assertThat(v.down()).containsEntry("c", "DEAD").containsEntry("d", "LEFT").hasSize(2);
        assertThat(v.isDown("c", "DEAD")).isTrue();
    }

    @Test
    void parse_liveOnly() {
        assertThat(View.parse("view v2: live a b c").orElseThrow().live()).containsExactly("a", "b", "c");
    }

    @Test
    void parse_otherLinesAreNotViews() {
        assertThat(View.parse("started: node=a#1 address=a:7400")).isEmpty();
        assertThat(View.parse("INFO: beacons on 239.84.78.68:47400 on eth0, TTL 1")).isEmpty();
    }
}
