/**
 * What every benchmark server and the load client share: the wire format, the chunk task and the
 * process statistics.
 */
@NullMarked
package dev.strand.bench;

import org.jspecify.annotations.NullMarked;
