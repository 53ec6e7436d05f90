/**
 * Tandem node JVMs as real processes: {@link dev.tandem.cluster.it.NodeRootfs} assembles the root
 * filesystem of a {@code FROM scratch} container image (a jlinked runtime, the C libraries it
 * links against, the launcher's module path). The container tests themselves live in this
 * module's test code, on the class path, because Testcontainers has no stable module name.
 */
module dev.tandem.cluster.it {
    exports dev.tandem.cluster.it;
}
