/**
 * What the heap a server keeps per tab is made of, read from heap dumps.
 */
@NullMarked
package dev.strand.bench.heap;

import org.jspecify.annotations.NullMarked;
