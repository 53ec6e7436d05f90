/**
 * The {@code tandem} command line. Strategies are not referenced here: whatever placement,
 * discovery and scheduling modules are on the module path are found by name at run time.
 */
module dev.tandem.cli {
    requires dev.tandem.cluster.api;
    requires dev.tandem.node;
    requires dev.tandem.simulator;
    requires info.picocli;

    opens dev.tandem.cli to info.picocli;
}
