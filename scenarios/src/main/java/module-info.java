/**
 * The named simulator scenarios that run Tandem's real protocols: SWIM membership (seed list and
 * beacon variants) under crashes, partitions, pauses, loss and clock faults, plus the sabotages
 * that show the checkers catch a deliberately broken rule.
 */
module dev.tandem.scenarios {
    requires dev.tandem.simulator;
    requires dev.tandem.discovery.gossip;

    provides dev.tandem.simulator.ScenarioProvider
        with dev.tandem.scenarios.TandemScenarios;
}
