/**
 * Test support for Strand pages: {@link dev.strand.test.StrandTestClient} opens a page, connects its stream,
 * posts page events and awaits its tasks without a browser, as LiveView's {@code live/2} and
 * {@code render_async/2} do.
 */
@NullMarked
package dev.strand.test;

import org.jspecify.annotations.NullMarked;
