package dev.tandem.placement.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.boot.Wiring;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring is found by name through ServiceLoader on the module path, and its setting is validated at boot. */
class RingWiringTest {
    private static final List<PlacementNode> THREE = List.of(new PlacementNode(new NodeId("a", 1)),
            new PlacementNode(new NodeId("b", 1)), new PlacementNode(new NodeId("c", 1)));

    @Test
    void serviceLoader_findsItByName_onTheModulePath() {
        StrategyCatalog<PlacementProvider> catalog = StrategyCatalog.placements();
        assertThat(catalog.names()).contains("ring");
        PlacementProvider provider = catalog.get("ring");
        assertThat(provider).isInstanceOf(RingPlacementProvider.class);
        assertThat(provider.getClass().getModule().getName()).isEqualTo("dev.tandem.placement.ring");
    }

    @Test
    void wiring_byName_withVirtualNodes() {
        Placement placement = Wiring.builder().placement("ring").placementOption("virtual-nodes", "64").build().placement();
        assertThat(placement.name()).isEqualTo("ring");
        assertThat(((RingTable) placement.assign(THREE)).pointCount()).isEqualTo(3 * 64);
        assertThat(placement).hasToString("ring(virtual-nodes=64)");
    }

    @Test
    void defaultVirtualNodes_apply_whenNoneAreGiven() {
        Placement placement = new RingPlacementProvider().create(StrategyOptions.none());
        assertThat(((RingTable) placement.assign(THREE)).pointCount())
                .isEqualTo(3 * RingPlacementProvider.DEFAULT_VIRTUAL_NODES);
    }

    @Test
    void invalidVirtualNodes_areRejected_withTheAllowedRange() {
        for (String bad : new String[] {"0", "-5", "sixty-four", "16385", ""}) {
            assertThatThrownBy(() -> Wiring.builder().placement("ring").placementOption("virtual-nodes", bad).build())
                    .as("virtual-nodes=%s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("setting virtual-nodes=" + bad + " is invalid: expected an integer from 1 to 16384");
        }
    }

    @Test
    void unknownSetting_isRejected_namingTheKnownOne() {
        assertThatThrownBy(() -> Wiring.builder().placement("ring").placementOption("vnodes", "64").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("strategy 'ring' has no setting vnodes; known settings: virtual-nodes");
    }
}
