/**
 * JMH microbenchmarks of Strand's hot paths, engine only (no HTTP): a task's start to its outcome,
 * a chunk's push to encoded SSE bytes (with and without a fragment re-render per chunk), a
 * Thymeleaf fragment render, and a 100-row list where one row changes (its cell, keyed rows, the
 * whole list). {@code benchmarks/run.sh jmh} runs them briefly.
 */
@NullMarked
package dev.strand.bench.jmh;

import org.jspecify.annotations.NullMarked;
