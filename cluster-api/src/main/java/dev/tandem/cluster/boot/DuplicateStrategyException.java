package dev.tandem.cluster.boot;

/**
 * Two installed providers of one kind claim the same name; Tandem refuses to guess which one the
 * application meant. The message names both classes and their modules.
 */
public final class DuplicateStrategyException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    DuplicateStrategyException(String message) {
        super(message);
    }
}
