/**
 * The load client: simulated browser tabs over Reactor Netty, their latency histograms, and the
 * reports that come out of a run.
 */
@NullMarked
package dev.strand.bench.client;

import org.jspecify.annotations.NullMarked;
