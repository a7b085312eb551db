/**
 * The shared mode ({@code strand.cluster.mode=redis}): several servers behind a load balancer, with Redis as
 * the shared engine. A tab lives on its home server; its events are copied to a Redis Stream, so that any
 * server can serve its stream; a page event that lands elsewhere is sent to its home over that server's Redis
 * Stream inbox, and answered with the home's answer; servers heartbeat in Redis, and a tab whose home is gone
 * is remounted where its browser reconnects.
 */
@NullMarked
package dev.strand.cluster;

import org.jspecify.annotations.NullMarked;
