#!/usr/bin/env bash
# Raw Netty (RoundTripReference, the reference `tandem bench` also uses) vs NettyTransport round
# trips between two JVMs on loopback. Prints figures, asserts
# nothing. Usage: transport-netty/bench.sh [seconds-per-figure]   (from the repository root)
# Prefix with `taskset -c 0` to place both JVMs on one core (the child inherits the affinity).
set -euo pipefail
cd "$(dirname "$0")/.."
# Both modules write the file; transport-netty, built last, wins.
mvn -B -q -pl transport-netty -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/transport-netty/target/bench.classpath"
cp="transport-netty/target/test-classes:transport-netty/target/classes:cluster-api/target/classes:$(cat transport-netty/target/bench.classpath)"
exec java -Xmx512m -cp "$cp" dev.tandem.transport.netty.ReferenceBench "${1:-3}"
