/**
 * The Strand target: the bench endpoints served by a plain Strand application, in a package of its
 * own so that component scanning does not pick up the baselines.
 */
@NullMarked
package dev.strand.bench.strand;

import org.jspecify.annotations.NullMarked;
