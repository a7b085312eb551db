/**
 * Auto-configuration for Strand.
 */
@NullMarked
package dev.strand.autoconfigure;

import org.jspecify.annotations.NullMarked;
