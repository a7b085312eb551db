/**
 * Strand's engine: view registry, mailbox, task runner and event log. Not API.
 */
@NullMarked
package dev.strand.internal;

import org.jspecify.annotations.NullMarked;
