/**
 * The store's scenarios for the simulator: real SWIM membership ({@code discovery-gossip}, static
 * seeds) and a real store node on every simulated machine, a client workload, the store's
 * invariants, and sabotaged variants that prove the invariants catch a broken rule.
 */
module dev.tandem.store.sim {
    requires dev.tandem.store;
    requires dev.tandem.simulator;
    requires dev.tandem.discovery.gossip;

    provides dev.tandem.simulator.ScenarioProvider with dev.tandem.store.sim.StoreScenarios;
}
