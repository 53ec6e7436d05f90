package dev.tandem.jobs.internal;

/** Rules a node can be told to break, so the simulator can prove its checkers catch them. */
enum Sabotage {
    NONE,
    /** A holder takes the result of a finished record from an older attempt instead of rejecting it. */
    ACCEPT_STALE_RESULTS,
    /** A backup whose executor died drops the unfinished records instead of restarting them. */
    FORGET_CASTS_ON_CRASH,
    /** A worker instance superseded by a newer one of the same name keeps running (and takes messages). */
    NEVER_RESOLVE_DUPLICATES
}
