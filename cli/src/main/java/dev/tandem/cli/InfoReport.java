package dev.tandem.cli;

import dev.tandem.cluster.NodeId;
import dev.tandem.node.ClusterInfo;
import dev.tandem.store.api.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The console's {@code info}: per-node store figures like {@code Borg.info()}, as text or JSON. */
final class InfoReport {
    private InfoReport() {
    }

    static List<String> text(ClusterInfo info) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("  %-10s %14s %12s %16s", "node", "keys as owner", "in transit", "below 2 copies"));
        for (NodeInfo i : info.nodes()) {
            lines.add(row(i.node().name(), i.keysAsOwner(), i.keysInTransit(), i.keysBelowReplicas()));
        }
        lines.add(row("total", info.keysAsOwner(), info.keysInTransit(), info.keysBelowReplicas()));
        if (!info.unanswered().isEmpty()) {
            lines.add("  no answer from: " + String.join(" ", info.unanswered().stream().map(NodeId::name).toList()));
        }
        return lines;
    }

    private static String row(String name, long owner, long transit, long below) {
        return String.format("  %-10s %,14d %,12d %,16d", name, owner, transit, below);
    }

    static Map<String, Object> json(ClusterInfo info) {
        return Output.fields(
                "nodes", info.nodes().stream().map(InfoReport::json).toList(),
                "unanswered", info.unanswered().stream().map(NodeId::name).toList(),
                "total", Output.fields("keysAsOwner", info.keysAsOwner(), "keysInTransit", info.keysInTransit(),
                        "keysBelowTwoCopies", info.keysBelowReplicas()),
                "settled", info.isSettled());
    }

    static Map<String, Object> json(NodeInfo i) {
        return Output.fields("node", i.node().name(), "id", i.node().toString(), "keysAsOwner", i.keysAsOwner(),
                "keysInTransit", i.keysInTransit(), "keysBelowTwoCopies", i.keysBelowReplicas(),
                "tombstones", i.tombstones(), "partitionsOwned", i.partitionsOwned());
    }
}
