/**
 * The {@code strand:} Thymeleaf dialect and fragment rendering.
 */
@NullMarked
package dev.strand.thymeleaf;

import org.jspecify.annotations.NullMarked;
