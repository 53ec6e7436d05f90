package dev.tandem.cluster.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.DiscoveryProvider;
import dev.tandem.cluster.spi.JobSchedulerProvider;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WiringTest {

    /** A provider that records its settings; "width" is its only setting. */
    record FakePlacementProvider(String name) implements PlacementProvider {
        @Override
        public String description() {
            return "test double";
        }

        @Override
        public Placement create(StrategyOptions options) {
            options.requireOnly(name, Set.of("width"));
            int width = options.intValue("width", 1, 1, 8);
            return new Placement() {
                @Override
                public String name() {
                    return name + ":" + width;
                }

                @Override
                public PlacementTable assign(Collection<PlacementNode> nodes) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }

    private static final StrategyCatalog<PlacementProvider> PLACEMENTS = StrategyCatalog.of(StrategyKind.PLACEMENT,
            List.of(new FakePlacementProvider("ring"), new FakePlacementProvider("rendezvous")));
    private static final StrategyCatalog<DiscoveryProvider> NO_DISCOVERY = StrategyCatalog.of(StrategyKind.DISCOVERY, List.of());
    private static final StrategyCatalog<JobSchedulerProvider> NO_JOBS = StrategyCatalog.of(StrategyKind.JOB_SCHEDULER, List.of());

    private static Wiring.Builder builder() {
        return Wiring.builder().catalogs(PLACEMENTS, NO_DISCOVERY, NO_JOBS);
    }

    @Test
    void byName_createsTheNamedStrategyWithItsSettings() {
        Wiring w = builder().placement("ring").placementOption("width", "4").build();
        assertThat(w.placement().name()).isEqualTo("ring:4");
    }

    @Test
    void noChoice_usesTheDefaultName_whenInstalled() {
        assertThat(builder().build().placement().name()).isEqualTo("rendezvous:1");
    }

    @Test
    void byInstance_bypassesTheCatalog() {
        Wiring w = builder().placement(new FakePlacementProvider("custom")).build();
        assertThat(w.placement().name()).isEqualTo("custom:1");
    }

    @Test
    void unknownName_failsAtBuild_listingAvailableNamesAndTheModuleToAdd() {
        assertThatThrownBy(() -> builder().placement("rng").build())
                .isInstanceOf(UnknownStrategyException.class)
                .hasMessage("no placement strategy named 'rng'; available: rendezvous, ring. Put the module that "
                        + "provides it (placement-rendezvous or placement-ring) on the module path.")
                .satisfies(e -> assertThat(((UnknownStrategyException) e).available()).containsExactly("rendezvous", "ring"));
    }

    @Test
    void unknownSetting_failsAtBuild_namingKnownSettings() {
        assertThatThrownBy(() -> builder().placement("ring").placementOption("virtual-nodez", "3").build())
                .hasMessage("strategy 'ring' has no setting virtual-nodez; known settings: width");
    }

    @Test
    void invalidSettingValue_failsAtBuild_withTheRange() {
        assertThatThrownBy(() -> builder().placementOption("width", "99").build())
                .hasMessage("setting width=99 is invalid: expected an integer from 1 to 8");
    }

    @Test
    void severalProblems_areReportedTogether() {
        assertThatThrownBy(() -> builder().placement("nope").discovery("gossip").jobScheduler("fifo").build())
                .hasMessageStartingWith("3 problems with the chosen strategies:")
                .hasMessageContaining("no placement strategy named 'nope'")
                .hasMessageContaining("no discovery strategy named 'gossip'; available: none")
                .hasMessageContaining("no job scheduler strategy named 'fifo'");
    }

    @Test
    void kindNeitherChosenNorInstalled_isAbsent_andSaysWhatToAddWhenAskedFor() {
        Wiring w = builder().build();
        assertThat(w.hasDiscovery()).isFalse();
        assertThatThrownBy(w::discovery).isInstanceOf(UnknownStrategyException.class)
                .hasMessageContaining("discovery-gossip");
    }

    @Test
    void duplicateNames_failTheCatalog_namingBothClasses() {
        assertThatThrownBy(() -> StrategyCatalog.of(StrategyKind.PLACEMENT,
                List.of(new FakePlacementProvider("ring"), new FakePlacementProvider("ring"))))
                .isInstanceOf(DuplicateStrategyException.class)
                .hasMessageContaining("two placement strategies are named 'ring'")
                .hasMessageContaining(FakePlacementProvider.class.getName());
    }

    @Test
    void invalidProviderName_isRejected() {
        assertThatThrownBy(() -> StrategyCatalog.of(StrategyKind.PLACEMENT, List.of(new FakePlacementProvider("Ring Two"))))
                .hasMessageContaining("invalid name 'Ring Two'");
    }

    @Test
    void serviceLoaderCatalog_ofThisModuleAlone_isEmpty_andErrorsSayNone() {
        // cluster-api provides no strategies itself; provider modules are tested in their own modules.
        StrategyCatalog<PlacementProvider> installed = StrategyCatalog.placements();
        assertThat(installed.names()).isEmpty();
        assertThatThrownBy(() -> installed.get("ring")).hasMessageContaining("available: none");
    }

    @Test
    void catalog_isSortedByName() {
        assertThat(PLACEMENTS.names()).containsExactly("rendezvous", "ring");
        assertThat(PLACEMENTS.providers()).extracting(PlacementProvider::name).containsExactly("rendezvous", "ring");
        assertThat(PLACEMENTS.find("ring")).isPresent();
        assertThat(PLACEMENTS.find("x")).isEmpty();
        assertThat(new NodeId("x", 0)).isNotNull();
    }
}
