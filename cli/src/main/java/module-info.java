/**
 * The {@code tandem} command line. Strategies are not referenced here: whatever placement,
 * discovery and scheduling modules are on the module path are found by name at run time.
 */
module dev.tandem.cli {
    requires dev.tandem.cluster.api;
    requires dev.tandem.node;
    requires dev.tandem.simulator;
    requires info.picocli;
    // sun.misc.Signal: a second Ctrl-C must be able to cut a graceful stop short.
    requires jdk.unsupported;

    opens dev.tandem.cli to info.picocli;
}
