/**
 * Strand's public API: a tab's {@link dev.strand.View}, {@link dev.strand.AsyncResult}, {@link dev.strand.Outcome} and the callback annotations.
 */
@NullMarked
package dev.strand;

import org.jspecify.annotations.NullMarked;
