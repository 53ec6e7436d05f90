/**
 * Contract test suites that live with Tandem's SPIs: a strategy module's tests subclass them once
 * and so prove the strategy keeps the SPI's promises. A test library: depend on it with test
 * scope.
 *
 * <p>Consumers' tests usually see this module on the class path (Surefire puts test-only
 * dependencies there), where its {@code opens} does not matter; on the module path it opens its
 * package to JUnit so inherited test methods can be invoked.
 */
module dev.tandem.cluster.testkit {
    requires transitive dev.tandem.cluster.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    requires transitive org.assertj.core;
    // QuickTheories 0.26 has no Automatic-Module-Name; "quicktheories" is derived from its jar name.
    requires quicktheories;
    // PlacementContract measures per-thread allocation (com.sun.management.ThreadMXBean).
    requires jdk.management;

    exports dev.tandem.cluster.testkit;
    opens dev.tandem.cluster.testkit to org.junit.platform.commons;
}
