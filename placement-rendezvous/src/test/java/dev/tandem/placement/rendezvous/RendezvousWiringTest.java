package dev.tandem.placement.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.boot.Wiring;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strategy is found by name through ServiceLoader on the module path, and wired at boot. */
class RendezvousWiringTest {

    @Test
    void serviceLoader_findsItByName_onTheModulePath() {
        StrategyCatalog<PlacementProvider> catalog = StrategyCatalog.placements();
        assertThat(catalog.names()).contains("rendezvous");
        PlacementProvider provider = catalog.get("rendezvous");
        assertThat(provider).isInstanceOf(RendezvousPlacementProvider.class);
        assertThat(provider.getClass().getModule().getName()).isEqualTo("dev.tandem.placement.rendezvous");
    }

    @Test
    void wiring_byName_andAsTheDefault() {
        assertThat(Wiring.builder().placement("rendezvous").build().placement().name()).isEqualTo("rendezvous");
        assertThat(Wiring.builder().build().placement().name()).as("rendezvous is the default placement")
                .isEqualTo("rendezvous");
    }

    @Test
    void anySetting_isRejected_sayingThereAreNone() {
        assertThatThrownBy(() -> Wiring.builder().placement("rendezvous").placementOption("virtual-nodes", "64").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("strategy 'rendezvous' has no setting virtual-nodes; known settings: (none)");
        assertThatThrownBy(() -> new RendezvousPlacementProvider().create(StrategyOptions.of(Map.of("seed", "1"))))
                .hasMessage("strategy 'rendezvous' has no setting seed; known settings: (none)");
    }
}
