/**
 * WebFlux integration: the SSE stream endpoint, the {@code View} argument resolver and callback discovery.
 */
@NullMarked
package dev.strand.web;

import org.jspecify.annotations.NullMarked;
