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

    @Test
    void parse_jsonViewEvent() {
        View v = View.parse("{\"event\":\"view\",\"version\":7,\"live\":[\"a\",\"b\"],\"down\":[\"c:DEAD\"]}").orElseThrow();
        assertThat(v.version()).isEqualTo(7);
        assertThat(v.live()).containsExactly("a", "b");
        assertThat(v.down()).containsExactly(java.util.Map.entry("c", "DEAD"));
        assertThat(View.parse("{\"command\":\"info\",\"nodes\":[]}")).isEmpty();
    }

    @Test
    void jsonLine_readsWhatTheConsolePrints() {
        var o = JsonLine.parse("{\"command\":\"get\",\"key\":\"k\\\"1\",\"found\":true,\"value\":null,\"ms\":1.5,"
                + "\"total\":{\"n\":-3},\"l\":[1,2]}").orElseThrow();
        assertThat(o).containsEntry("command", "get").containsEntry("key", "k\"1").containsEntry("found", true)
                .containsEntry("value", null).containsEntry("ms", 1.5).containsEntry("l", java.util.List.of(1L, 2L));
        assertThat(JsonLine.num(JsonLine.obj(o, "total"), "n")).isEqualTo(-3);
        assertThat(JsonLine.parse("view v1: live a")).isEmpty();
        assertThat(JsonLine.parse("{\"a\":1} trailing")).isEmpty();
    }
}
