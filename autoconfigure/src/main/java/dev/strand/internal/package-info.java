/**
 * Strand's engine; not API. A tab is an actor ({@link dev.strand.internal.TabActor}): typed
 * {@link dev.strand.internal.Message}s come in through its {@link dev.strand.internal.Mailbox}, typed
 * {@link dev.strand.internal.WireEvent}s go out through its {@link dev.strand.internal.EventLog}, and its
 * tasks live in a {@link dev.strand.internal.TaskTable} that holds the one generation rule. The web and
 * template layers see only the seams: {@link dev.strand.internal.Tab},
 * {@link dev.strand.internal.TabRegistry}, {@link dev.strand.internal.EventLog} and
 * {@link dev.strand.internal.TabRenderer}; the in-memory implementations are the default.
 */
@NullMarked
package dev.strand.internal;

import org.jspecify.annotations.NullMarked;
